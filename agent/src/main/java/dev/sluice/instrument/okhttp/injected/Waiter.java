package dev.sluice.instrument.okhttp.injected;

/** A governed call still waiting for admission, found again by {@code Call.cancel()}. */
abstract class Waiter {
    /** The application cancelled the call: leave the waiting room and fail the call as OkHttp would. */
    abstract void cancel();
}
