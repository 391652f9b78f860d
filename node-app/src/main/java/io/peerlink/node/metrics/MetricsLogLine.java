package io.peerlink.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.NamingConvention;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The counters' log line, derived from the registry that {@code /metrics} serves, so the two never
 * disagree: {@code metrics: name{label="v"}=n ...} for every counter and gauge under the given
 * name prefixes, in Prometheus's names, sorted; zeros are left out to keep the line short.
 */
final class MetricsLogLine {

  private MetricsLogLine() {
  }

  static String format(MeterRegistry registry, String... prefixes) {
    NamingConvention names = registry.config().namingConvention();
    TreeMap<String, Double> values = new TreeMap<>();
    for (Meter m : registry.getMeters()) {
      Meter.Id id = m.getId();
      if (!matches(id.getName(), prefixes)) {
        continue;
      }
      double v;
      boolean counter = true;
      if (m instanceof Counter) {
        v = ((Counter) m).count();
      } else if (m instanceof FunctionCounter) {
        v = ((FunctionCounter) m).count();
      } else if (m instanceof Gauge) {
        v = ((Gauge) m).value();
        counter = false;
      } else {
        continue;
      }
      if (v != 0 && !Double.isNaN(v)) {
        values.put(key(names, id, counter), v);
      }
    }
    StringJoiner line = new StringJoiner(" ", "metrics: ", "");
    line.setEmptyValue("metrics: (all zero)");
    values.forEach((k, v) -> line.add(k + "=" + (v == Math.rint(v) ? Long.toString((long) (double) v) : v)));
    return line.toString();
  }

  private static boolean matches(String name, String[] prefixes) {
    for (String p : prefixes) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** As /metrics names it: the Prometheus exposition adds {@code _total} to counters. */
  private static String key(NamingConvention names, Meter.Id id, boolean counter) {
    StringJoiner tags = new StringJoiner(",", "{", "}");
    tags.setEmptyValue("");
    for (Tag t : id.getConventionTags(names)) {
      tags.add(t.getKey() + "=\"" + t.getValue() + '"');
    }
    String name = id.getConventionName(names);
    return (counter && !name.endsWith("_total") ? name + "_total" : name) + tags;
  }
}
