package dev.sluice.provider;

/**
 * Is shown each piece of prompt text as {@link RequestScanner} finds it, in body order, without any copy: the
 * hook for an exact token count. Must not keep {@code body} or log its content (prompts are secret).
 */
@FunctionalInterface
public interface PromptTextSink {
    /**
     * One piece of prompt: {@code body[start, end)}. When {@code jsonString} is true it is the raw content of a
     * JSON string (between the quotes, escapes not decoded); when false it is a whole structured JSON value (a
     * tool definition list, a tool call's input) as it appears in the body.
     */
    void text(byte[] body, int start, int end, boolean jsonString);
}
