package dev.sluice.provider;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A 100 MB event stream fed in 8 KiB chunks: the final usage is found, in constant memory, quickly. */
class LargeStreamTest {
    static final long TOTAL = 100L << 20;
    static final int CHUNK = 8192;

    @Test
    void hundredMegabytesOfChatChunks() {
        // one block of events of varying sizes, fed round and round so chunks straddle events and block ends
        StringBuilder sb = new StringBuilder();
        long contentPerBlock = 0;
        for (int i = 0; sb.length() < 1 << 20; i++) {
            String piece = "tok" + i + (i % 7 == 0 ? " \\u00e9\\n" : " ") + "x".repeat(i % 50);
            contentPerBlock += piece.replace("\\u00e9", "\u00e9").replace("\\n", "\n").getBytes(StandardCharsets.UTF_8).length;
            sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(piece)
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        byte[] block = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":"
                + "26214400,\"total_tokens\":26215400}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        int blocks = (int) (TOTAL / block.length) + 1;

        ResponseUsageParser p = (ResponseUsageParser) UsageParser.forResponse(ProviderKind.OPENAI, "text/event-stream");
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        long fed = 0;
        long allocatedBefore = allocatedBytes();
        long start = System.nanoTime();
        int pos = 0;
        int done = 0;
        while (done < blocks) {
            chunk.clear();
            while (chunk.hasRemaining() && done < blocks) {
                int n = Math.min(chunk.remaining(), block.length - pos);
                chunk.put(block, pos, n);
                pos += n;
                if (pos == block.length) {
                    pos = 0;
                    done++;
                }
            }
            chunk.flip();
            p.feed(chunk);
            assertEquals(0, chunk.position());
            fed += chunk.limit();
        }
        p.feed(ByteBuffer.wrap(tail));
        p.end();
        long elapsed = System.nanoTime() - start;
        long allocated = allocatedBytes() - allocatedBefore;
        fed += tail.length;

        assertTrue(fed >= TOTAL);
        assertTrue(p.found());
        assertEquals(26_215_400, p.totalTokens());
        assertEquals(1000, p.inputTokens());
        assertEquals(contentPerBlock * blocks, p.contentBytes());
        assertFalse(p.gaveUp());
        assertTrue(p.bufferHighWater() <= ResponseUsageParser.bufferCap());
        System.out.printf("100 MB stream: %d bytes in %.0f ms (%.0f MB/s), %d bytes allocated while parsing%n",
                fed, elapsed / 1e6, fed / 1e6 / (elapsed / 1e9), allocated);
        if (allocated >= 0) assertTrue(allocated < 1 << 20, "parsing allocates nothing per byte: " + allocated);
        assertTrue(elapsed < 20_000_000_000L, "far too slow: " + elapsed / 1_000_000 + " ms");
    }

    /** Bytes allocated by this thread so far, or -1 where the JVM cannot tell. */
    private static long allocatedBytes() {
        try {
            java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
            if (t instanceof com.sun.management.ThreadMXBean) {
                return ((com.sun.management.ThreadMXBean) t).getThreadAllocatedBytes(Thread.currentThread().getId());
            }
        } catch (RuntimeException | LinkageError e) {
            // not available
        }
        return -1;
    }
}
