package dev.sluice.agent;

/** Fallback version when the jar manifest is not readable (classes on the bootstrap path have no package info). */
final class Version {
    static final String VALUE = "0.1.0-SNAPSHOT";

    private Version() {
    }
}
