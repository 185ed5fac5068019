package dev.sluice.instrument.reactornetty.injected;

import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.netty.Connection;
import reactor.netty.channel.ChannelOperations;

import java.nio.ByteBuffer;

/**
 * Watches one response body as it arrives: a Netty handler placed (with {@code Connection.addHandlerLast}) just
 * before Reactor Netty's bridge to the application's {@code receive()}, so every buffer of the body passes it on
 * its way in, unchanged and undelayed, whether or not the application has subscribed yet. The last buffer settles
 * the call; an exchange that ends without it (the application cancelled or disposed the body, the connection
 * closed mid-body) ends it too, as a cancel or a failure, exactly once ({@code Connection.onTerminate()} or the
 * channel's closing, whichever comes first).
 */
final class BodyWatcher extends ChannelInboundHandlerAdapter {
    static final String NAME = "sluice.body";

    private final Connection connection;
    private final GovernedCall governed;
    private volatile boolean ended;

    private BodyWatcher(Connection connection, GovernedCall governed) {
        this.connection = connection;
        this.governed = governed;
    }

    /** Starts watching the body of {@code connection}'s response (called as the response is emitted). */
    static void watch(Connection connection, GovernedCall governed) {
        BodyWatcher w = new BodyWatcher(connection, governed);
        ChannelPipeline pipeline = connection.channel().pipeline();
        if (pipeline.get(NAME) != null) pipeline.remove(NAME); // left by an earlier exchange on this connection
        connection.addHandlerLast(NAME, w);
        connection.onTerminate().subscribe(null, e -> w.ended(), w::ended);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!ended && msg instanceof HttpContent) {
            try {
                feed(((HttpContent) msg).content());
                if (msg instanceof LastHttpContent) {
                    ended = true;
                    governed.onComplete();
                }
            } catch (Throwable t) {
                Faults.record(governed.endpoint(), "reactor-netty body", t);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ended();
        ctx.fireChannelInactive();
    }

    private void feed(ByteBuf b) {
        int n = b.readableBytes();
        if (n == 0) return;
        int count = b.nioBufferCount();
        if (count == 1) {
            governed.onBody(b.nioBuffer(b.readerIndex(), n));
        } else if (count > 1) {
            for (ByteBuffer part : b.nioBuffers(b.readerIndex(), n)) governed.onBody(part);
        } else {
            governed.onBody(ByteBuffer.wrap(ByteBufUtil.getBytes(b, b.readerIndex(), n, false)));
        }
    }

    /**
     * The exchange ended before the body's last buffer: the application let go of it (a cancel, charged what was
     * seen), or the connection closed under it (a failure).
     */
    void ended() {
        if (ended) return;
        ended = true;
        try {
            Channel ch = connection.channel();
            boolean letGo = connection instanceof ChannelOperations
                    && ((ChannelOperations<?, ?>) connection).isInboundCancelled();
            if (letGo || ch.isActive()) governed.onCancel();
            else governed.onError(null);
        } catch (Throwable t) {
            governed.onCancel();
        }
    }
}
