package io.peerlink.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a node's config: the user's file (HOCON, whatever its extension, so the seed's TOML files
 * load as they are) over {@code reference.conf}, under overrides from the environment and system
 * properties, then validated into a {@link NodeConfig}.
 *
 * <p>Overrides, strongest first:
 * <ol>
 *   <li>system properties {@code -Dpeerlink.KEY=VALUE}, e.g. {@code -Dpeerlink.peer_rpc_port=19300};</li>
 *   <li>environment variables {@code PEERLINK_KEY=VALUE}: the key upper-cased with dots as
 *       {@code _}, e.g. {@code PEERLINK_DISCOVERY_POLICY=quorum}. Only keys of
 *       {@code reference.conf} are mapped, so the mapping is unambiguous;</li>
 *   <li>the user's file;</li>
 *   <li>{@code reference.conf}.</li>
 * </ol>
 * A list key given a single string (as overrides always are) is split at commas.
 */
public final class ConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  /** Prefix of system properties and environment variables that override keys. */
  public static final String PROPERTY_PREFIX = "peerlink.";
  /** Prefix of environment variables that override keys. */
  public static final String ENV_PREFIX = "PEERLINK_";

  private final Map<String, String> env;
  private final Properties systemProperties;

  /**
   * A loader with explicit override sources (tests, the demo).
   *
   * @param env environment variables; only {@code PEERLINK_*} ones matter
   * @param systemProperties system properties; only {@code peerlink.*} ones matter
   */
  public ConfigLoader(Map<String, String> env, Properties systemProperties) {
    this.env = Map.copyOf(env);
    Properties copy = new Properties();
    copy.putAll(systemProperties);
    this.systemProperties = copy;
  }

  /** A loader with this process's environment and system properties as overrides. */
  public static ConfigLoader fromEnvironment() {
    return new ConfigLoader(System.getenv(), System.getProperties());
  }

  /** A loader without overrides. */
  public static ConfigLoader withoutOverrides() {
    return new ConfigLoader(Map.of(), new Properties());
  }

  /** {@code reference.conf}: every key and its default. */
  public static Config reference() {
    return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /**
   * Reads, layers, reports ignored keys and validates.
   *
   * @throws ConfigValidationException when the file cannot be read or parsed, or a value is bad
   */
  public NodeConfig load(Path file, TransportRegistry transports) throws ConfigValidationException {
    try {
      return load(parseFile(file), transports);
    } catch (StackOverflowError e) {
      throw tooDeep("config file " + file);
    }
  }

  /** As {@link #load(Path, TransportRegistry)}, from an already parsed user config. */
  public NodeConfig load(Config userConfig, TransportRegistry transports) throws ConfigValidationException {
    try {
      List<String> substitutions = substitutions(userConfig);
      if (!substitutions.isEmpty()) {
        throw new ConfigValidationException(substitutions);
      }
      Set<String> ignored = ignoredKeys(userConfig);
      if (!ignored.isEmpty()) {
        LOG.info("Ignoring config keys this node does not use: {}", String.join(", ", ignored));
      }
      return NodeConfigValidator.validate(layered(userConfig), transports);
    } catch (StackOverflowError e) {
      throw tooDeep(userConfig.origin().description());
    }
  }

  // HOCON substitutions are refused in a user's file: resolving them can take memory exponential
  // in the file's size (b0 = ${b1} ${b1}, b1 = ${b2} ${b2}, ... : 30 lines made a 2^30-character
  // string and an OutOfMemoryError, found while fuzzing the loader). The seed's configs have none;
  // overrides come from PEERLINK_* and -Dpeerlink.*, which are plain values.
  private static List<String> substitutions(Config userConfig) {
    if (userConfig.isResolved()) {
      return List.of();
    }
    Map<String, ConfigValue> unresolved = new TreeMap<>();
    findUnresolved(userConfig.root(), List.of(), unresolved);
    Config reference = reference();
    List<String> problems = new ArrayList<>();
    unresolved.forEach((key, value) -> {
      boolean overridable = !key.startsWith("(") && reference.hasPath(key)
          && reference.getValue(key).valueType() != com.typesafe.config.ConfigValueType.OBJECT;
      problems.add(key + " uses a substitution (${...} or +=)"
          + (value.origin().lineNumber() > 0 ? " on line " + value.origin().lineNumber() : "")
          + ": not supported in a node's config; write the value itself"
          + (overridable ? ", or override it with " + envName(key) + " or -D" + PROPERTY_PREFIX + key : ""));
    });
    return problems;
  }

  // Walks objects rather than calling entrySet(), which throws on an object merged with a
  // substitution (a = ${x}, a { y = 1 }: found by ConfigLoaderFuzzTest); such an object is named whole.
  private static void findUnresolved(ConfigObject object, List<String> path, Map<String, ConfigValue> out) {
    Set<String> keys;
    try {
      keys = object.keySet();
    } catch (ConfigException.NotResolved e) {
      out.put(path.isEmpty() ? "(the whole file)" : ConfigUtil.joinPath(path), object);
      return;
    }
    for (String key : keys) {
      ConfigValue value = object.get(key);
      if (value.atKey("k").isResolved()) {
        continue;
      }
      List<String> child = new ArrayList<>(path);
      child.add(key);
      if (value instanceof ConfigObject) {
        findUnresolved((ConfigObject) value, child, out);
      } else {
        out.put(ConfigUtil.joinPath(child), value);
      }
    }
  }

  // Typesafe Config parses, resolves and renders recursively, one stack frame or more per level:
  // a 3 KB file of '[' overflowed the stack (found while fuzzing the loader). Nothing is shared or
  // half-built at that point, so the error is caught and named like any bad config.
  private static ConfigValidationException tooDeep(String where) {
    return new ConfigValidationException(List.of(where + ": nested too deeply to read (thousands of levels of"
        + " [ or {); expected a flat config such as reference.conf"));
  }

  /**
   * Parses a user's file as HOCON whatever its extension.
   *
   * @throws ConfigValidationException naming the file when it is missing or does not parse
   */
  public static Config parseFile(Path file) throws ConfigValidationException {
    if (!Files.isRegularFile(file)) {
      throw new ConfigValidationException(List.of("config file " + file + ": not found (or not a regular file)"));
    }
    try {
      return ConfigFactory.parseFile(file.toFile(),
          ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false)
              .setIncluder(NoIncludes.INSTANCE));
    } catch (ConfigException e) {
      throw new ConfigValidationException(List.of("config file " + file + ": " + e.getMessage()));
    }
  }

  /** The user's config under the overrides and over {@code reference.conf}, resolved. */
  public Config layered(Config userConfig) throws ConfigValidationException {
    Config reference = reference();
    try {
      return systemPropertyOverrides()
          .withFallback(environmentOverrides(reference))
          .withFallback(userConfig)
          .withFallback(reference)
          .resolve();
    } catch (ConfigException e) {
      throw new ConfigValidationException(List.of(e.getMessage()));
    }
  }

  /**
   * The keys of a user's config that the node does not use (the seed's configs carry many), in
   * key order; nested keys are named by path.
   */
  public static Set<String> ignoredKeys(Config userConfig) {
    Config reference = reference();
    Set<String> ignored = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : userConfig.entrySet()) {
      String path = e.getKey();
      if (!reference.hasPathOrNull(path) && !underKnownList(reference, path)) {
        ignored.add(path);
      }
    }
    return ignored;
  }

  // health.backoff.0.failures (a list given as numbered keys) belongs to the list health.backoff.
  // The path is split by Typesafe's own rules: a key may be quoted and hold dots ("a.b" = 1), and
  // cutting at the last '.' made the invalid path '"a' (ConfigException.BadPath, found by
  // ConfigLoaderFuzzTest).
  private static boolean underKnownList(Config reference, String path) {
    List<String> elements = ConfigUtil.splitPath(path);
    for (int n = elements.size() - 1; n > 0; n--) {
      String prefix = ConfigUtil.joinPath(elements.subList(0, n));
      if (reference.hasPath(prefix)) {
        return reference.getValue(prefix).valueType() == ConfigValueType.LIST;
      }
    }
    return false;
  }

  private Config systemPropertyOverrides() {
    Map<String, String> map = new LinkedHashMap<>();
    for (String name : systemProperties.stringPropertyNames()) {
      if (name.startsWith(PROPERTY_PREFIX) && name.length() > PROPERTY_PREFIX.length()) {
        map.put(name.substring(PROPERTY_PREFIX.length()), systemProperties.getProperty(name));
      }
    }
    return ConfigFactory.parseMap(map, "system properties -D" + PROPERTY_PREFIX + "*");
  }

  private Config environmentOverrides(Config reference) {
    Map<String, String> map = new LinkedHashMap<>();
    Set<String> paths = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
      paths.add(e.getKey());
    }
    for (String path : paths) {
      String value = env.get(envName(path));
      if (value != null) {
        map.put(path, value);
      }
    }
    return ConfigFactory.parseMap(map, "environment variables " + ENV_PREFIX + "*");
  }

  /** The environment variable that overrides a key: {@code discovery.timeout} -> {@code PEERLINK_DISCOVERY_TIMEOUT}. */
  public static String envName(String path) {
    return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
