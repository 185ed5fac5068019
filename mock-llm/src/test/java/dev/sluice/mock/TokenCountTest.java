package dev.sluice.mock;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenCountTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> body(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    @Test
    void promptIsMessagesContentOnlyRoundedUp() {
        // "hello" (5) + "world!!" (7) = 12 bytes -> 3 tokens; roles and model count nothing.
        Map<String, Object> b = body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"hello\"},"
                + "{\"role\":\"user\",\"content\":\"world!!\"}]}");
        assertEquals(12, TokenCount.promptBytes(b));
        assertEquals(3, TokenCount.promptTokens(b));
        assertEquals(4, TokenCount.promptTokens(body("{\"messages\":[{\"role\":\"user\",\"content\":\"1234567890123\"}]}")));
        assertEquals(0, TokenCount.promptTokens(body("{\"messages\":[]}")));
    }

    @Test
    void contentPartsCountTheirTextOnly() {
        Map<String, Object> b = body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcd\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:xxxxxxxxxxxxxxxx\"}},{\"type\":\"text\",\"text\":\"efgh\"}]}]}");
        assertEquals(8, TokenCount.promptBytes(b));
    }

    @Test
    void anthropicSystemStringOrBlocks() {
        assertEquals(4 + 4, TokenCount.promptBytes(body("{\"system\":\"abcd\",\"messages\":[{\"role\":\"user\",\"content\":\"efgh\"}]}")));
        assertEquals(6 + 4, TokenCount.promptBytes(body("{\"system\":[{\"type\":\"text\",\"text\":\"abcdef\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"efgh\"}]}]}")));
    }

    @Test
    void responsesInputAndInstructions() {
        assertEquals(3 + 5, TokenCount.promptBytes(body("{\"input\":\"abc\",\"instructions\":\"defgh\"}")));
        assertEquals(2 + 3 + 4 + 1, TokenCount.promptBytes(body("{\"input\":[\"ab\",{\"role\":\"user\",\"content\":\"cde\"},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"fghi\"}]},"
                + "{\"type\":\"input_text\",\"text\":\"j\"}]}")));
    }

    @Test
    void legacyPromptAndGeminiContents() {
        assertEquals(5, TokenCount.promptBytes(body("{\"prompt\":\"hello\"}")));
        assertEquals(4, TokenCount.promptBytes(body("{\"prompt\":[\"he\",\"ll\"]}")));
        assertEquals(6, TokenCount.promptBytes(body("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"abc\"},{\"text\":\"d\"}]}],"
                + "\"systemInstruction\":{\"parts\":[{\"text\":\"ef\"}]}}")));
    }

    @Test
    void utf8BytesOfTheDecodedStrings() {
        // é = 2 bytes, € = 3, 😀 = 4 (a surrogate pair), written as JSON escapes: 9 bytes -> 3 tokens.
        Map<String, Object> b = body("{\"messages\":[{\"role\":\"user\",\"content\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}]}");
        assertEquals(9, TokenCount.promptBytes(b));
        assertEquals(3, TokenCount.promptTokens(b));
        for (String s : new String[]{"plain", "é€😀", "\ud800 lone", "日本語のテキスト"}) {
            assertEquals(TokenCount.utf8Checked(s), TokenCount.utf8(s), s);
        }
    }

    @Test
    void outputBoundIsTheLargestNamedElseSixteen() {
        assertEquals(16, TokenCount.outputBound(body("{}")));
        assertEquals(-1, TokenCount.namedOutputBound(body("{}")));
        assertEquals(20, TokenCount.outputBound(body("{\"max_tokens\":20}")));
        assertEquals(30, TokenCount.outputBound(body("{\"max_completion_tokens\":30}")));
        assertEquals(40, TokenCount.outputBound(body("{\"max_output_tokens\":40}")));
        assertEquals(50, TokenCount.outputBound(body("{\"generationConfig\":{\"maxOutputTokens\":50}}")));
        assertEquals(30, TokenCount.outputBound(body("{\"max_tokens\":20,\"max_completion_tokens\":30}")));
        assertEquals(0, TokenCount.outputBound(body("{\"max_tokens\":-5}")));
    }

    @Test
    void outputTokensAreTheSmallerOfBoundAndSetting() {
        assertEquals(8, TokenCount.outputTokens(16, 8));
        assertEquals(5, TokenCount.outputTokens(5, 8));
        assertEquals(0, TokenCount.outputTokens(0, 8));
    }
}
