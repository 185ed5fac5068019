package dev.sluice.it.ops;

import dev.sluice.it.ChildJvm;
import dev.sluice.it.Jmx;
import dev.sluice.it.SluiceConfigFile;
import dev.sluice.it.Upstream;
import org.junit.jupiter.api.Test;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's JConsole, without Sluice's classes: every attribute of both MBeans reads as open types, and
 * breaker, congestion, alert and reload notifications arrive with CompositeData user data.
 */
class OpsJmxIT {
    @Test
    void aPlainClientReadsEveryAttributeAndReceivesEveryKindOfNotification() throws Exception {
        try (Upstream up = Upstream.start(b -> b.latencyMillis(300))) {
            Path cfg = SluiceConfigFile.forUpstream(up)
                    .endpoint("max-concurrent", 1).endpoint("queue.capacity", 20)
                    .endpoint("queue.high-water", 4).endpoint("queue.low-water", 1)
                    .key("sluice.alert.open.endpoint", "mock")
                    .key("sluice.alert.open.when", "breaker = open")
                    .key("sluice.alert.open.action", "notify")
                    .write();
            // one call, then 8 at once: 7 wait behind one slot, past the high-water mark of 4, then drain
            ChildJvm.Started child = ChildJvm.of(PhasedLoad.class).withAgent(cfg)
                    .args("url=" + up.chatUrl(), Ops.client(), "phases=0.25:4,80:0.1", "lingerMs=60000").start();
            ObjectName agent = new ObjectName("dev.sluice:type=Agent");
            ObjectName ep = Jmx.endpoint("mock");
            try (Jmx jmx = Ops.jmx(child)) {
                jmx.await(ep, 10_000);
                Ops.Recorder atEndpoint = new Ops.Recorder();
                Ops.Recorder atAgent = new Ops.Recorder();
                jmx.server.addNotificationListener(ep, atEndpoint, null, null);
                jmx.server.addNotificationListener(agent, atAgent, null, null);

                List<Notification> congestion = atEndpoint.await("dev.sluice.congestion", 2, 20_000);
                assertEquals(2, congestion.size(), "congested on, then off:\n" + atEndpoint);
                CompositeData on = (CompositeData) congestion.get(0).getUserData();
                assertEquals(true, on.get("congested"));
                assertEquals("mock", on.get("endpoint"));
                assertEquals(false, ((CompositeData) congestion.get(1).getUserData()).get("congested"));

                jmx.server.invoke(ep, "openBreaker", new Object[0], new String[0]);
                Thread.sleep(700); // the alert looks every 250 ms
                jmx.server.invoke(ep, "resetBreaker", new Object[0], new String[0]);
                List<Notification> breaker = atEndpoint.await("dev.sluice.breaker", 2, 5_000);
                assertEquals(2, breaker.size(), atEndpoint.toString());
                CompositeData opened = (CompositeData) breaker.get(0).getUserData();
                assertEquals("closed", opened.get("from"));
                assertEquals("open", opened.get("to"));
                List<Notification> alerts = atEndpoint.await("dev.sluice.alert", 2, 5_000);
                assertEquals(List.of("firing", "recovered"), states(alerts), atEndpoint.toString());
                assertEquals("open", ((CompositeData) alerts.get(0).getUserData()).get("alert"));

                String summary = (String) jmx.server.invoke(agent, "reload", new Object[0], new String[0]);
                assertTrue(summary.contains("no limit changed"), summary);
                List<Notification> reloaded = atAgent.await("dev.sluice.config.reloaded", 1, 5_000);
                assertEquals(1, reloaded.size(), atAgent.toString());
                assertEquals(true, ((CompositeData) reloaded.get(0).getUserData()).get("applied"));

                // the Agent MBean carried the endpoint's notifications too, once each
                assertEquals(2, atAgent.of("dev.sluice.breaker").size());
                assertEquals(2, atAgent.of("dev.sluice.alert").size());
                for (Notification n : atAgent.all) Ops.assertOpen(n.getUserData(), n.getType());
                for (Notification n : atEndpoint.all) Ops.assertOpen(n.getUserData(), n.getType());

                for (ObjectName name : List.of(agent, ep)) {
                    MBeanInfo info = jmx.server.getMBeanInfo(name);
                    List<String> read = new ArrayList<>();
                    for (MBeanAttributeInfo a : info.getAttributes()) {
                        Object v = jmx.server.getAttribute(name, a.getName());
                        Ops.assertOpen(v, name + "." + a.getName());
                        read.add(a.getName());
                    }
                    assertTrue(read.size() > 10, name + " " + read);
                    Set<String> types = new TreeSet<>();
                    for (MBeanNotificationInfo ni : info.getNotifications()) types.addAll(Arrays.asList(ni.getNotifTypes()));
                    assertTrue(types.containsAll(Set.of("dev.sluice.breaker", "dev.sluice.congestion", "dev.sluice.alert")),
                            name + " announces " + types);
                }
                assertEquals(1L, jmx.get(ep, "CongestionEpisodes"));
                assertEquals(2L, jmx.get(ep, "BreakerTransitions"));
                CompositeData[] rules = (CompositeData[]) jmx.get(agent, "Alerts");
                assertEquals(1, rules.length);
                assertEquals("ok", rules[0].get("state"));
                assertEquals(1L, rules[0].get("fired"));
            } finally {
                child.process.destroy();
            }
        }
    }

    private static List<String> states(List<Notification> alerts) {
        List<String> s = new ArrayList<>();
        for (Notification n : alerts) s.add((String) ((CompositeData) n.getUserData()).get("state"));
        return s;
    }
}
