package io.peerlink.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed values out of a layered config and collects every problem as one line
 * {@code key = value: expected ...} (with the file and line, or the override, it came from), so
 * that the binders read the whole config before anything fails and an operator fixes every
 * mistake in one go. Each read of a bad value records a problem and returns a neutral value
 * (null, -1, empty); {@link #throwIfProblems()} then fails with all of them.
 */
final class ConfigReader {

  private final Config config;
  private final TransportRegistry transports;
  private final List<String> problems = new ArrayList<>();

  /**
   * @param config the user's config under the overrides, over reference.conf, resolved
   * @param transports parse every endpoint, so a scheme no installed transport serves is a problem
   */
  ConfigReader(Config config, TransportRegistry transports) {
    this.config = config;
    this.transports = transports;
  }

  /** Fails with every problem recorded so far, if there is any. */
  void throwIfProblems() throws ConfigValidationException {
    if (!problems.isEmpty()) {
      throw new ConfigValidationException(problems);
    }
  }

  /** The installed transports endpoints are parsed with. */
  TransportRegistry transports() {
    return transports;
  }

  /** The raw text of a key, or {@code ""} when it is absent (a key whose default is empty). */
  String rawString(String key) {
    return config.hasPath(key) ? String.valueOf(config.getValue(key).unwrapped()) : "";
  }

  /** Records a problem already written out whole ({@code key ...: expected ...}). */
  void problem(String line) {
    problems.add(line);
  }

  /** true or false (also as the strings an override gives); null after a problem. */
  Boolean bool(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    Object raw = v.unwrapped();
    if (raw instanceof Boolean) {
      return (Boolean) raw;
    }
    // Overrides from the environment arrive as strings.
    if (raw instanceof String && List.of("true", "false").contains(((String) raw).strip().toLowerCase(Locale.ROOT))) {
      return Boolean.parseBoolean(((String) raw).strip());
    }
    problem(key, v, "expected true or false");
    return null;
  }

  /** A whole number in {@code [min, max]}; -1 after a problem naming {@code expected}. */
  long integer(String key, long min, long max, String expected) {
    ConfigValue v = value(key);
    if (v == null) {
      return -1;
    }
    Long n = asLong(v);
    if (n == null || n < min || n > max) {
      problem(key, v, "expected " + expected);
      return -1;
    }
    return n;
  }

  /** A whole number, also written as a string (as overrides are); null when it is not one. */
  static Long asLong(ConfigValue v) {
    Object raw = v.unwrapped();
    if (raw instanceof Integer || raw instanceof Long) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof String) {
      String s = ((String) raw).strip();
      if (s.matches("-?[0-9]{1,18}")) {
        return Long.parseLong(s);
      }
    }
    return null;
  }

  /** A non-empty string; null after a problem. */
  String string(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
      problem(key, v, "expected a non-empty string");
      return null;
    }
    return (String) v.unwrapped();
  }

  /** A file system path; null after a problem. */
  Path path(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    try {
      return Path.of(s.strip());
    } catch (InvalidPathException e) {
      problem(key, value(key), "expected a file system path (" + e.getReason() + ")");
      return null;
    }
  }

  /** An endpoint any installed transport serves; null after a problem. */
  Endpoint endpoint(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    try {
      return transports.endpoint(s);
    } catch (InvalidEndpointException e) {
      problem(key, value(key), expectedFrom(e));
      return null;
    }
  }

  /** Endpoints to connect to; each bad item is a problem of its own, {@code key[i]}. */
  List<Endpoint> endpoints(String key) {
    List<Endpoint> out = new ArrayList<>();
    List<ConfigValue> items = list(key, "expected a list of endpoints, e.g. [\"tcp://192.168.1.101:19201\"]");
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      String itemKey = key + "[" + i + "]";
      if (item.valueType() != ConfigValueType.STRING) {
        problem(itemKey, item, "expected an endpoint string such as \"tcp://HOST:PORT\" or \"/path/to.sock\"");
        continue;
      }
      try {
        out.add(transports.endpoint((String) item.unwrapped()).requireConnectable());
      } catch (InvalidEndpointException e) {
        problem(itemKey, item, expectedFrom(e));
      }
    }
    return out;
  }

  /** A list, or a single string split at commas (how overrides from the environment arrive). */
  List<ConfigValue> list(String key, String expected) {
    ConfigValue v = value(key);
    if (v == null) {
      return List.of();
    }
    if (v.valueType() == ConfigValueType.LIST) {
      return new ArrayList<>((ConfigList) v);
    }
    if (v.valueType() == ConfigValueType.STRING) {
      List<ConfigValue> out = new ArrayList<>();
      for (String part : ((String) v.unwrapped()).split(",")) {
        if (!part.isBlank()) {
          out.add(ConfigValueFactory.fromAnyRef(part.strip(), v.origin().description()));
        }
      }
      return out;
    }
    if (v.valueType() == ConfigValueType.OBJECT) {
      // -Dpeerlink.key.0=a -Dpeerlink.key.1=b: Typesafe Config turns numbered keys into a list.
      try {
        return new ArrayList<>(config.getList(key));
      } catch (ConfigException e) {
        // falls through to the problem below
      }
    }
    problem(key, v, expected);
    return List.of();
  }

  /** A positive duration within the key's {@link SettingBounds}. */
  Duration duration(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    Duration d = null;
    try {
      d = config.getDuration(key);
    } catch (ConfigException e) {
      // reported below
    }
    SettingBounds.Range range = SettingBounds.of(key);
    if (d == null || d.isNegative() || d.isZero()) {
      problem(key, v, "expected a duration such as 5s or 500ms, " + range.describe());
      return null;
    }
    if (!range.contains(d)) {
      problem(key, v, "expected a duration " + range.describe());
      return null;
    }
    return d;
  }

  /** A string that must be one of {@code allowed}. */
  String oneOf(String key, String... allowed) {
    String s = string(key);
    if (s != null && !java.util.Arrays.asList(allowed).contains(s.strip())) {
      problem(key, value(key), "expected one of " + String.join(", ", allowed));
      return null;
    }
    return s == null ? null : s.strip();
  }

  /** A string that may be empty (meaning unset). */
  String optionalString(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.STRING) {
      problem(key, v, "expected a string (empty for none)");
      return null;
    }
    String s = ((String) v.unwrapped()).strip();
    return s.isEmpty() ? null : s;
  }

  /** A duration of zero (off), or one within the key's {@link SettingBounds}. */
  Duration durationOrZero(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    Duration d = null;
    try {
      d = config.getDuration(key);
    } catch (ConfigException e) {
      // reported below
    }
    SettingBounds.Range range = SettingBounds.of(key);
    if (d == null || d.isNegative() || (!d.isZero() && !range.contains(d))) {
      problem(key, v, "expected 0 for off, or a duration " + range.describe());
      return null;
    }
    return d;
  }

  /** Whether the key's value is reference.conf's default, not set by the user. */
  boolean fromReference(String key) {
    ConfigValue v = config.hasPath(key) ? config.getValue(key) : null;
    String description = v == null ? null : v.origin().description();
    return description != null && description.contains("reference.conf");
  }

  /** The key's value; a key missing from the layered config (null) is a problem. */
  ConfigValue value(String key) {
    if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
      problems.add(key + " is missing: expected a value (see reference.conf)");
      return null;
    }
    return config.getValue(key);
  }

  /** Records {@code key = value: expectation (where it was set)}. */
  void problem(String key, ConfigValue v, String expectation) {
    problems.add(key + " = " + render(v) + ": " + expectation + origin(v));
  }

  /** As the three-argument form, with the key's value as configured (or none). */
  void problem(String key, String expectation) {
    ConfigValue v = config.hasPath(key) ? config.getValue(key) : null;
    problems.add(key + " = " + (v == null ? "(none)" : render(v)) + ": " + expectation + (v == null ? "" : origin(v)));
  }

  static String render(ConfigValue v) {
    return v.render(ConfigRenderOptions.concise());
  }

  /** Where a value was set: {@code (file line N)}, {@code (from environment ...)}, or nothing for reference.conf. */
  static String origin(ConfigValue v) {
    String file = v.origin().filename();
    if (file != null && v.origin().lineNumber() > 0) {
      return " (" + Path.of(file).getFileName() + " line " + v.origin().lineNumber() + ")";
    }
    String description = v.origin().description();
    if (description != null && (description.startsWith("system properties") || description.startsWith("environment"))) {
      return " (from " + description + ")";
    }
    return "";
  }

  /** "invalid endpoint 'x': expected y" -> "expected y": the key and value are already named. */
  static String expectedFrom(InvalidEndpointException e) {
    String msg = e.getMessage();
    int i = msg.indexOf("': expected ");
    return i >= 0 ? msg.substring(i + 3) : msg;
  }
}
