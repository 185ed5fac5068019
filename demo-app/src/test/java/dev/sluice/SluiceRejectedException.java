package dev.sluice;

import java.io.IOException;

/** A stand-in with the agent's class name and shape, so the demo app's reflective reading can be tested without the agent. */
public class SluiceRejectedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public SluiceRejectedException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    public String getReason() {
        return reason;
    }
}
