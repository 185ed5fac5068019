package dev.sluice.it;

import dev.sluice.it.apps.JdkHandOffs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A governed JDK HttpClient call costs its client no extra hand-off to another thread. The client calls a body
 * subscriber's {@code getBody} on its executor unless it trusts the subscriber; Sluice's wrapper around the
 * application's subscriber is trusted exactly when that subscriber is. Counted on the application's own executor:
 * the same server called under a matched and an unmatched host name, in one JVM.
 */
class JdkHandOffIT {
    static final int CALLS = 200;

    @Test
    void noExtraHandOffOnJdk17() throws Exception {
        check(null);
    }

    @Test
    void noExtraHandOffOnJdk25() throws Exception {
        check(Jdks.require(25));
    }

    private static void check(String javaHome) throws Exception {
        try (Upstream up = Upstream.start()) {
            Path cfg = SluiceConfigFile.forUpstream(up).endpoint("rpm", 600_000).write();
            String unmatched = up.chatUrl().replace("://127.0.0.1:", "://localhost:");
            ChildJvm child = ChildJvm.of(JdkHandOffs.class).withAgent(cfg).args(up.chatUrl(), unmatched, CALLS);
            if (javaHome != null) child.javaHome(javaHome);
            ChildJvm.Result r = child.run(120);
            assertEquals(6 * CALLS, r.num("bodies"), r.toString());
            assertEquals(3 * (CALLS + 3), r.num("governed"), "every matched call and no other: " + r.result());
            // Tasks per call, in hundredths: the client itself gives its executor ~4 per call, varying a little.
            for (String how : new String[]{"sync", "async"}) {
                long added = r.num("a." + how) - r.num("b." + how);
                assertTrue(added < 50, how + ": a governed call handed off " + added / 100.0
                        + " more tasks than an ungoverned one: " + r.result());
            }
            // The application's own subscriber still has its getBody on the executor, as without the agent (and
            // this shows the count sees a hand-off: about one more task per call).
            assertTrue(r.num("a.own") - r.num("a.sync") >= 50, r.result().toString());
            assertTrue(r.num("b.own") - r.num("b.sync") >= 50, r.result().toString());
            System.out.printf("executor tasks per call, governed / not: send %.2f / %.2f, sendAsync %.2f / %.2f, "
                            + "own subscriber %.2f / %.2f%n", r.num("a.sync") / 100.0, r.num("b.sync") / 100.0,
                    r.num("a.async") / 100.0, r.num("b.async") / 100.0, r.num("a.own") / 100.0, r.num("b.own") / 100.0);
        }
    }
}
