package dev.sluice.jmx;

import org.junit.jupiter.api.Test;

import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotificationsTest {
    @Test
    void userDataIsOpenTypesOnly() throws Exception {
        CompositeData alert = Notifications.data(Notifications.ALERT_TYPE, "alert", "slow", "endpoint", "openai",
                "state", "firing", "when", "wait.avg > 10s", "action", "shed-low", "detail", "wait.avg=12s",
                "cause", "condition", "fired", 1L);
        CompositeData config = Notifications.data(Notifications.CONFIG_TYPE, "path", "/x", "applied", false,
                "summary", "rejected", "endpoints", new String[]{"a"}, "problems", new String[]{"bad"});
        for (CompositeData cd : new CompositeData[]{alert, config}) {
            for (Object v : cd.values()) {
                String cls = v.getClass().getName();
                assertTrue(cls.startsWith("java.lang.") || cls.equals("[Ljava.lang.String;"), cls);
            }
        }
        Notification n = Notifications.notification(Notifications.ALERT, new ObjectName("dev.sluice:type=Agent"), 1,
                "alert 'slow' fired", alert);
        ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream());
        out.writeObject(n); // what a remote JMX client receives
        assertEquals("slow", ((CompositeData) n.getUserData()).get("alert"));
    }

    @Test
    void theMBeansAnnounceTheirTypes() {
        Set<String> ep = types(Notifications.endpointInfo());
        assertEquals(new TreeSet<>(Set.of("dev.sluice.breaker", "dev.sluice.congestion", "dev.sluice.alert")), ep);
        Set<String> agent = types(Notifications.agentInfo());
        assertTrue(agent.containsAll(ep) && agent.contains("dev.sluice.config.reloaded") && agent.contains("dev.sluice.config.rejected"));
    }

    private static Set<String> types(MBeanNotificationInfo[] infos) {
        Set<String> s = new TreeSet<>();
        for (MBeanNotificationInfo i : infos) s.addAll(Arrays.asList(i.getNotifTypes()));
        return s;
    }
}
