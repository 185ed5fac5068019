package dev.sluice.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;

import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * One HTTP client family's instrumentation unit. It names itself (for {@code sluice.client.<name>.enabled} and
 * the Agent MBean) and adds its type matchers and advice to the agent builder. All logic shared between
 * clients lives in {@code dev.sluice.client}; a unit only translates its client's types.
 */
public interface ClientInstrumentation {
    /** Stable name: {@code jdk-httpclient}, {@code okhttp}, ... */
    String name();

    /**
     * Every class this unit's type matchers can match, by binary name ({@code okhttp3.RealCall}), or a package
     * prefix ending in '.' (which takes in its subpackages). The agent shows no other class to Byte Buddy
     * ({@link TypeNameFilter}), so a matcher's name must be listed here.
     */
    List<String> typeNames();

    /**
     * Adds this unit's transformations. {@code advice} locates the advice classes' bytecode (they are on the
     * bootstrap path, which has no class loader to ask).
     */
    AgentBuilder install(AgentBuilder builder, Instrumentation inst, ClassFileLocator advice);
}
