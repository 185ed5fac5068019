package dev.sluice.agent;

import dev.sluice.alert.AlertRule;
import dev.sluice.alert.Events;
import dev.sluice.alert.Watched;
import dev.sluice.alert.Watcher;
import dev.sluice.client.EndpointRuntime;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceRuntime;
import dev.sluice.config.AgentArgs;
import dev.sluice.config.ConfigLoadResult;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.Gate;
import dev.sluice.core.GateLimits;
import dev.sluice.core.GateListener;
import dev.sluice.core.GateMonitor;
import dev.sluice.instrument.ClientInstrumentation;
import dev.sluice.instrument.TypeNameFilter;
import dev.sluice.instrument.apache.Apache4Instrumentation;
import dev.sluice.instrument.apache.Apache5Instrumentation;
import dev.sluice.instrument.jdkhttp.JdkHttpClientInstrumentation;
import dev.sluice.instrument.okhttp.OkHttpInstrumentation;
import dev.sluice.instrument.reactornetty.ReactorNettyInstrumentation;
import dev.sluice.instrument.urlconn.UrlConnectionInstrumentation;
import dev.sluice.jmx.AgentControl;
import dev.sluice.jmx.JmxSupport;
import dev.sluice.log.SluiceLog;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.utility.JavaModule;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * The agent proper, loaded from the bootstrap path by {@link Premain}: reads the configuration, installs the
 * client instrumentations, registers the MBeans, starts the monitoring thread (figures, alerts) and the
 * reload watch.
 */
public final class SluiceAgent implements AgentControl {
    /** Every client unit the agent knows; each can be switched off with sluice.client.<name>.enabled=false. */
    static List<ClientInstrumentation> allInstrumentations() {
        return List.of(new JdkHttpClientInstrumentation(), new UrlConnectionInstrumentation(),
                new Apache5Instrumentation(), new Apache4Instrumentation(), new OkHttpInstrumentation(),
                new ReactorNettyInstrumentation());
    }

    private static volatile SluiceAgent instance;

    private final String configPath;
    private final String version;
    private final boolean attached;
    private final List<String> clients = new ArrayList<>();
    private final Watcher watcher;
    private final ConfigReloader reloader;

    private SluiceAgent(String configPath, Map<String, String> agentArgs, String version, boolean attached,
                        Watcher watcher) {
        this.configPath = configPath;
        this.version = version;
        this.attached = attached;
        this.watcher = watcher;
        this.reloader = new ConfigReloader(configPath, agentArgs, watcher);
    }

    public static void start(String args, Instrumentation inst, String jarPath, boolean attached) {
        if (instance != null) {
            SluiceLog.warn("Sluice is already active in this JVM; ignoring the second start");
            return;
        }
        long t0 = System.nanoTime();
        Map<String, String> agentArgs = AgentArgs.parse(args);
        String path = ConfigLoader.configPath(agentArgs, System.getProperties(), System.getenv());
        ConfigLoadResult loaded = ConfigLoader.load(path, agentArgs, System.getProperties(), System.getenv());
        SluiceConfig config = loaded.config();
        if (config.logLevel() != null) SluiceLog.setLevel(config.logLevel());
        for (String problem : loaded.problems()) SluiceLog.warn(problem);
        if (!config.enabled()) {
            SluiceLog.info("Sluice is disabled (sluice.enabled=false); calls pass untouched");
            return;
        }
        if (path == null && config.endpoints().isEmpty()) {
            SluiceLog.info("no configuration given (-javaagent:sluice-agent.jar=config=/path/sluice.properties);"
                    + " Sluice does nothing");
            return;
        }
        String version = SluiceAgent.class.getPackage() != null && SluiceAgent.class.getPackage().getImplementationVersion() != null
                ? SluiceAgent.class.getPackage().getImplementationVersion() : Version.VALUE;
        Watcher watcher = new Watcher(config.jmx() ? JmxSupport.events() : Events.NONE);
        SluiceAgent agent = new SluiceAgent(path, agentArgs, version, attached, watcher);
        instance = agent;
        AlertRule.Compiled alerts = AlertRule.compile(config.alerts(), ConfigReloader.ids(config));
        for (String problem : alerts.problems()) SluiceLog.warn(problem);
        long t1 = System.nanoTime();
        SluiceRuntime runtime = SluiceRuntime.build(config, null);
        long t2 = System.nanoTime();
        // Instrument first, govern after: attached to a running JVM, the buckets are emptied only once the
        // retransformed classes are in place (calls until then were the application's own), and the runtime
        // is installed right after, so no call ever sees the full buckets a -javaagent start has.
        agent.instrument(inst, new File(jarPath), config, attached);
        long t3 = System.nanoTime();
        if (attached) ColdStart.drain(runtime);
        Sluice.install(runtime);
        JmxSupport.setWatcher(watcher);
        // Inside premain, though making the platform MBean server is ~40% of it: the MBeans are there when main
        // starts. Registering them on a thread of their own saved ~100 ms of premain but left a moment in which an
        // application reading them (our own test apps did) found none.
        if (config.jmx()) {
            JmxSupport.registerAgent(agent);
            JmxSupport.syncEndpoints(runtime);
        }
        long t4 = System.nanoTime();
        watcher.update(watched(runtime), alerts.rules());
        watcher.start();
        List<String> problems = new ArrayList<>(loaded.problems());
        problems.addAll(alerts.problems());
        agent.reloader.started(config, runtime, problems);
        agent.reloader.watch();
        SluiceLog.info("Sluice " + version + (attached ? " attached" : " active") + ": " + config.endpoints().size()
                + " endpoint(s) " + endpointIds(runtime) + ", mode " + config.mode().label() + ", clients "
                + agent.clients + (alerts.rules().isEmpty() ? "" : ", " + alerts.rules().size() + " alert(s)")
                + (config.reloadNanos() > 0 && path != null ? ", reload every " + config.reloadNanos() / 1_000_000 + " ms" : "")
                + "; started in " + ms(System.nanoTime() - t0) + " ms");
        SluiceLog.debug("start-up, ms: configuration " + ms(t1 - t0) + ", runtime " + ms(t2 - t1) + ", instrumentation "
                + ms(t3 - t2) + ", JMX " + ms(t4 - t3) + ", monitoring and reload " + ms(System.nanoTime() - t4));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** The endpoints as the watcher sees them. */
    static List<Watched> watched(SluiceRuntime runtime) {
        List<Watched> out = new ArrayList<>();
        for (EndpointRuntime ep : runtime.endpoints()) {
            Gate gate = ep.gate();
            String id = ep.id();
            out.add(new Watched() {
                @Override public String id() { return id; }
                @Override public GateMonitor monitor() { return gate.monitor(); }
                @Override public GateLimits limits() { return gate.limits(); }
                @Override public void forceShedLow(boolean on) { gate.forceShedLow(on); }
                @Override public Object identity() { return gate; }
                @Override public boolean setListener(GateListener l) { gate.setListener(l); return true; }
            });
        }
        return out;
    }

    private static String endpointIds(SluiceRuntime runtime) {
        List<String> ids = new ArrayList<>();
        runtime.endpoints().forEach(e -> ids.add(e.id()));
        return ids.toString();
    }

    private void instrument(Instrumentation inst, File jar, SluiceConfig config, boolean attached) {
        try {
            ClassFileLocator advice = ClassFileLocator.ForJarFile.of(jar);
            AgentBuilder builder = newAgentBuilder()
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .with(AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Reiterating.INSTANCE)
                    // Names only. Byte Buddy's default adds isSynthetic(), which makes it parse a class file for its
                    // modifiers; every unit's type matcher starts with a name test, so no synthetic class matches.
                    .ignore(nameStartsWith("dev.sluice.").or(nameStartsWith("net.bytebuddy.")))
                    .with(new FailureListener());
            List<String> typeNames = new ArrayList<>();
            for (ClientInstrumentation unit : allInstrumentations()) {
                if (!config.clientEnabled(unit.name())) {
                    SluiceLog.info("client " + unit.name() + " switched off by sluice.client." + unit.name() + ".enabled");
                    continue;
                }
                try {
                    builder = unit.install(builder, inst, advice);
                    typeNames.addAll(unit.typeNames());
                    clients.add(unit.name());
                } catch (Throwable t) {
                    SluiceLog.log(SluiceLog.Level.WARN, "could not prepare instrumentation of " + unit.name(), t);
                }
            }
            builder.with(new TypeNameFilter(typeNames)).installOn(inst);
        } catch (Throwable t) {
            SluiceLog.log(SluiceLog.Level.ERROR, "instrumentation failed; calls pass ungoverned", t);
        }
    }

    /**
     * Byte Buddy's AgentBuilder, made without touching the application. Left alone, its constructor injects Byte
     * Buddy's {@code Nexus} class into the application's system class loader, through {@code sun.misc.Unsafe} (on
     * JDK 24 and later the JVM then prints "a terminally deprecated method in sun.misc.Unsafe has been called" on
     * the application's stderr). The Nexus only serves types with loaded-type initializers; advice, all Sluice
     * uses, has none. So the Nexus is switched off by its property (relocated with Byte Buddy, so no application's
     * own Byte Buddy reads it) for the moment the builder is made, and the property is put back as it was.
     */
    static AgentBuilder newAgentBuilder() {
        String key = net.bytebuddy.dynamic.Nexus.PROPERTY;
        String before = System.getProperty(key);
        System.setProperty(key, "true");
        try {
            return new AgentBuilder.Default().with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE);
        } finally {
            if (before == null) System.clearProperty(key);
            else System.setProperty(key, before);
        }
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String configPath() {
        return configPath == null ? "none" : configPath;
    }

    @Override
    public List<String> instrumentedClients() {
        return Collections.unmodifiableList(clients);
    }

    @Override
    public String reload() {
        return reloader.reloadNow("reload() over JMX");
    }

    @Override
    public String lastReload() {
        return reloader.lastReload();
    }

    @Override
    public List<String> lastReloadProblems() {
        return reloader.lastProblems();
    }

    @Override
    public boolean attached() {
        return attached;
    }

    /** Transformation errors are logged once per type; the class stays as it was. */
    private static final class FailureListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable t) {
            SluiceLog.once(SluiceLog.Level.WARN, "transform:" + typeName, "could not instrument " + typeName
                    + "; its calls pass ungoverned", t);
        }

        @Override
        public void onTransformation(net.bytebuddy.description.type.TypeDescription type, ClassLoader loader,
                                     JavaModule module, boolean loaded, net.bytebuddy.dynamic.DynamicType dynamicType) {
            SluiceLog.debug("instrumented " + type.getName());
        }
    }
}
