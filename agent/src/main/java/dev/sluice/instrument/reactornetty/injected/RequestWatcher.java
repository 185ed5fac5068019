package dev.sluice.instrument.reactornetty.injected;

import dev.sluice.client.GovernedCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.ByteArrayOutputStream;

/**
 * Watches one request body on its way out (a Netty handler placed before Reactor Netty's bridge once the request is
 * prepared, after admission): its bytes are copied as they pass, unchanged and undelayed, up to {@link #KEPT}, and
 * when the body ends the call learns what it asks for ({@link GovernedCall#requestSent}), to be settled with that.
 */
final class RequestWatcher extends ChannelOutboundHandlerAdapter {
    static final String NAME = "sluice.request";
    /** A larger body is settled by its length alone (a prompt that large is no chat request Sluice can read). */
    static final int KEPT = 1 << 20;

    private final GovernedCall governed;
    private ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    private long length;

    RequestWatcher(GovernedCall governed) {
        this.governed = governed;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean last = false;
        if (length >= 0) {
            try {
                ByteBuf content = msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content()
                        : msg instanceof ByteBuf ? (ByteBuf) msg : null;
                if (content != null) keep(content);
                last = msg instanceof LastHttpContent;
            } catch (Throwable t) {
                length = -1; // fail open: settled as admitted
            }
        }
        ctx.write(msg, promise);
        if (last) ended(ctx);
    }

    private void keep(ByteBuf content) throws java.io.IOException {
        int n = content.readableBytes();
        if (n == 0) return;
        length += n;
        if (bytes == null) return;
        if (length > KEPT) {
            bytes = null;
            return;
        }
        content.getBytes(content.readerIndex(), bytes, n);
    }

    private void ended(ChannelHandlerContext ctx) {
        ByteArrayOutputStream b = bytes;
        long n = length;
        length = -1;
        bytes = null;
        governed.requestSent(b == null ? null : b.toByteArray(), n);
        if (ctx.pipeline().context(this) != null) ctx.pipeline().remove(this);
    }
}
