package dev.sluice.agent;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.core.Gate;
import dev.sluice.core.Permit;
import dev.sluice.core.Priority;
import dev.sluice.core.Refusal;

/**
 * Attached to a running JVM, Sluice cannot know how much of the provider's quota the application has used in
 * the last minute; an application that was outrunning its quota has used all of it. So an attached agent
 * starts every endpoint with empty RPM and TPM buckets, filling at the configured rate: from the attach on,
 * the provider is never asked for more than its rate, and a provider bucket the application had drained is
 * not hit with a full local burst. (With {@code -javaagent} the application has made no call yet, and the
 * buckets start full.)
 *
 * Done through the gate's public contract: one zero-token permit whose call "reported" zero remaining
 * requests and tokens lowers both buckets to empty; the permit goes back as cancelled and the figures are
 * reset. (A {@code Gate.drain()} in the core would say it directly; see the operations notes.)
 */
final class ColdStart {
    private ColdStart() {
    }

    static void drain(SluiceRuntime runtime) {
        for (EndpointRuntime ep : runtime.endpoints()) {
            try {
                drain(ep.gate());
            } catch (Throwable t) {
                Faults.record(ep, "cold start", t);
            }
        }
    }

    static void drain(Gate gate) throws InterruptedException {
        Permit p;
        try {
            p = gate.acquire(Priority.HIGH, 0, System.nanoTime() + 50_000_000L);
        } catch (Refusal r) {
            return; // nothing to drain from a gate that admits nothing now
        }
        try {
            gate.syncRemaining(p, 0, 0);
        } finally {
            p.complete(Permit.CANCELLED, 0);
            gate.monitor().reset();
        }
    }
}
