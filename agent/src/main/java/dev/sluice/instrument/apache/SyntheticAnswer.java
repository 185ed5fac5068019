package dev.sluice.instrument.apache;

/**
 * What a classic {@code classicBefore} returns instead of a governed call when the call is refused with
 * {@code reject=http}: the client's own response object (built by the helper from a
 * {@link dev.sluice.client.SyntheticResponse}). The advice skips the request on this type and returns the response.
 */
public final class SyntheticAnswer {
    public final Object response;

    public SyntheticAnswer(Object response) {
        this.response = response;
    }
}
