package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code enable_metrics}, {@code metrics_port}, {@code metrics_bind}: read, overridden, refused with the reason. */
class MetricsConfigTest {

  private static NodeConfig load(ConfigLoader loader, String hocon) throws ConfigValidationException {
    try (TransportRegistry transports = TransportRegistry.installed()) {
      return loader.load(ConfigFactory.parseString(hocon), transports);
    }
  }

  @Test
  void offByDefaultOnLoopbackPort9100() throws Exception {
    assertEquals(new MetricsSettings(false, "127.0.0.1", 9100, Duration.ofSeconds(60)),
        load(ConfigLoader.withoutOverrides(), "").metrics());
  }

  @Test
  void theSeedsKeysAndTheBindAreRead() throws Exception {
    MetricsSettings m = load(ConfigLoader.withoutOverrides(),
        "enable_metrics = true\nmetrics_port = 9200\nmetrics_bind = \"0.0.0.0\"\nmetrics.interval = 5s").metrics();
    assertEquals(new MetricsSettings(true, "0.0.0.0", 9200, Duration.ofSeconds(5)), m);
  }

  @Test
  void overridesFromTheEnvironmentArriveAsStrings() throws Exception {
    ConfigLoader env = new ConfigLoader(Map.of("PEERLINK_ENABLE_METRICS", "true", "PEERLINK_METRICS_PORT", "0"),
        new Properties());
    MetricsSettings m = load(env, "").metrics();
    assertEquals(true, m.enabled());
    assertEquals(0, m.port(), "0 takes a free port");
  }

  @Test
  void badValuesNameTheKeyTheValueAndWhatWasExpected() {
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> load(
        ConfigLoader.withoutOverrides(),
        "enable_metrics = \"yes\"\nmetrics_port = 70000\nmetrics_bind = \"no-such-host.invalid\""));
    assertEquals(List.of(
        "enable_metrics = \"yes\": expected true or false",
        "metrics_port = 70000: expected a port number 1-65535, or 0 for a free port"),
        e.problems().subList(0, 2));
    assertEquals(3, e.problems().size(), e.problems()::toString);
    String bind = e.problems().get(2);
    assertEquals(true, bind.startsWith("metrics_bind = \"no-such-host.invalid\": expected an address of this machine"
        + " to bind to, such as 127.0.0.1 or 0.0.0.0"), bind);
  }
}
