package dev.sluice.instrument.reactornetty.injected;

import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Faults;
import dev.sluice.client.GovernedCall;
import dev.sluice.client.Sluice;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.client.HttpClientConfig;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the Reactor Netty advice calls (the unit's bridge): decides whether a subscription is governed, and
 * translates Reactor Netty's configuration for {@link GovernedCall}. Parameters are {@code Object} because the advice
 * that calls them is typed without Reactor Netty.
 */
public final class ReactorNettyCalls {
    private ReactorNettyCalls() {
    }

    /**
     * Instead of {@code MonoHttpConnect.subscribe(actual)}: true when Sluice took the subscription over (the original
     * is skipped), false to let the original run (not governed, or Sluice's own subscription of an admitted call).
     */
    @SuppressWarnings("unchecked")
    public static boolean subscribe(Object mono, Object actual, Object cfg) {
        if (actual instanceof GovernedConnect || !(cfg instanceof HttpClientConfig)) return false;
        HttpClientConfig config = (HttpClientConfig) cfg;
        // A WebSocket is a session, not a call: left alone rather than holding a permit for its life.
        if (config.websocketClientSpec() != null) return false;
        EndpointRuntime ep = match(config);
        if (ep == null) return false;
        GovernedCall governed = prepare(ep, config);
        new GovernedConnect((Mono<Connection>) mono, (CoreSubscriber<? super Connection>) actual, governed).start();
        return true;
    }

    /** The key under which a governed subscription's context carries its call, for {@link #requestPrepared}. */
    static final String CALL_KEY = "dev.sluice.call";

    /**
     * Before {@code HttpClientHandler.requestWithBody(operations)}: the admitted request is about to be written. If
     * it is a governed call (its subscriber's context says so), a {@link RequestWatcher} reads its body on the way
     * out.
     */
    public static void requestPrepared(Object operations) {
        if (!(operations instanceof ChannelOperations)) return;
        ChannelOperations<?, ?> ops = (ChannelOperations<?, ?>) operations;
        Object call = ops.currentContext().getOrDefault(CALL_KEY, null);
        if (!(call instanceof GovernedCall)) return;
        try {
            ChannelPipeline pipeline = ops.channel().pipeline();
            if (pipeline.get(RequestWatcher.NAME) != null) pipeline.remove(RequestWatcher.NAME); // a redirect's
            ops.addHandlerLast(RequestWatcher.NAME, new RequestWatcher((GovernedCall) call));
        } catch (Throwable t) {
            Faults.record(((GovernedCall) call).endpoint(), "reactor-netty request body", t);
        }
    }

    /**
     * The endpoint governing the request, or null. The URL is resolved as Reactor Netty resolves it: {@code uri()}
     * (absolute, or a path appended to {@code baseUrl()}, or a path sent to {@code remoteAddress()}), the scheme from
     * {@code isSecure()} when the URI names none.
     */
    static EndpointRuntime match(HttpClientConfig config) {
        String uri = config.uri();
        if (uri == null || uri.isEmpty()) uri = "/";
        String base = config.baseUrl();
        if (base != null && uri.charAt(0) == '/') {
            uri = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + uri;
        }
        String secureScheme = config.isSecure() ? "https" : "http";
        if (uri.charAt(0) == '/') {
            Supplier<? extends SocketAddress> remote = config.remoteAddress();
            SocketAddress a = remote == null ? null : remote.get();
            if (!(a instanceof InetSocketAddress)) return null;
            InetSocketAddress isa = (InetSocketAddress) a;
            return Sluice.match(secureScheme, isa.getHostString(), isa.getPort(), uri); // read up to its '?'
        }
        if (!uri.contains("://")) uri = secureScheme + "://" + uri;
        URI u = URI.create(uri);
        String scheme = u.getScheme() == null ? secureScheme : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost();
        if (host == null) return null;
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        String path = u.getRawPath();
        return Sluice.match(scheme, host, port, path == null || path.isEmpty() ? "/" : path);
    }

    /**
     * The call's priority from the client's configured headers (or the thread's name); its tokens from the default
     * estimate. Reactor Netty writes the request (headers set per request, and the body) only once connected, so
     * neither can be read before admission without holding the request back: the output default is reserved and the
     * usage the answer reports settles it.
     */
    static GovernedCall prepare(EndpointRuntime ep, HttpClientConfig config) {
        String priority = null;
        try {
            HttpHeaders headers = config.headers();
            if (headers != null) priority = headers.get(GovernedCall.priorityHeader(ep));
        } catch (Throwable t) {
            Faults.record(ep, "reactor-netty request inspection", t);
        }
        return GovernedCall.prepare(ep, priority, (byte[]) null, -1);
    }
}
