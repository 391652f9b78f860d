package io.peerlink.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.peerlink.discovery.core.discovery.BackoffStep;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.catchup.TrustedCheckpoint;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TlsOptions;
import io.peerlink.transport.api.TransportRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns a layered config into a {@link NodeConfig}, collecting every problem as one line
 * {@code key = value: expected ...} before failing, so an operator fixes them in one go.
 */
final class NodeConfigValidator {

  private final Config config;
  private final TransportRegistry transports;
  private final List<String> problems = new ArrayList<>();

  private NodeConfigValidator(Config config, TransportRegistry transports) {
    this.config = config;
    this.transports = transports;
  }

  static NodeConfig validate(Config config, TransportRegistry transports) throws ConfigValidationException {
    return new NodeConfigValidator(config, transports).build();
  }

  private NodeConfig build() throws ConfigValidationException {
    int nodeId = (int) integer("node_id", 0, Integer.MAX_VALUE, "a node number 0-2147483647");
    Endpoint blockChannel = endpoint("executor_send_socket_path");
    Endpoint localMaster = endpoint("executor_receive_socket_path");
    Set<Endpoint> peers = new LinkedHashSet<>();
    peers.addAll(endpoints("peer_go_master_sockets"));
    peers.addAll(endpoints("peer_rpc_addresses"));
    int port = (int) integer("peer_rpc_port", 1, 65535, "a port number 1-65535");
    String bind = string("peer_rpc_bind");
    Optional<TlsOptions> tls = tls("tls");
    Endpoint peerRpc = null;
    if (bind != null) {
      try {
        // Checked even when the port is bad, so both problems are reported in one go.
        int p = port > 0 ? port : 1;
        Endpoint written = tls.isPresent() ? Endpoint.tls(bind.strip(), p) : Endpoint.tcp(bind.strip(), p);
        Endpoint checked = transports.endpoint(written.toString());
        peerRpc = port > 0 ? checked : null;
      } catch (InvalidEndpointException e) {
        problem("peer_rpc_bind", expectedFrom(e));
      }
    }
    Path storage = path("storage_path");
    long retention = integer("storage.retention_blocks", 0, SettingBounds.MAX_BLOCKS,
        "0 (keep every block) or a number of blocks 1-" + SettingBounds.MAX_BLOCKS);

    Duration timeout = duration("discovery.timeout");
    Duration interval = duration("discovery.interval");
    long threshold = integer("discovery.threshold", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS);
    long hysteresis = integer("discovery.hysteresis", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS);
    String policyName = policyName("discovery.policy");
    OptionalInt quorumF = quorumF("discovery.quorum_f");
    int minPeers = (int) integer("discovery.min_peers", 0, 10_000, "a number of peers 0-10000");
    Duration banDuration = duration("discovery.ban_duration");
    long maxEpochJump = integer("discovery.max_epoch_jump", 1, DiscoveryOptions.MAX_EPOCH_JUMP,
        "a number of epochs 1-" + DiscoveryOptions.MAX_EPOCH_JUMP);

    List<BackoffStep> backoff = backoff("health.backoff");
    // The seed's commit_sync_batch_size wins, unless only the older catch_up.batch_size was set.
    String batchKey = fromReference("commit_sync_batch_size") && !fromReference("catch_up.batch_size")
        ? "catch_up.batch_size" : "commit_sync_batch_size";
    int batch = (int) integer(batchKey, 1, DiscoveryOptions.MAX_BATCH_SIZE,
        "a number of blocks 1-" + DiscoveryOptions.MAX_BATCH_SIZE);
    int parallelFetches = (int) integer("commit_sync_parallel_fetches", 1, SettingBounds.MAX_PARALLEL_FETCHES,
        "a number of fetches in flight 1-" + SettingBounds.MAX_PARALLEL_FETCHES + " (1 = one at a time)");
    int batchesAhead = (int) integer("commit_sync_batches_ahead", 1, SettingBounds.MAX_BATCHES_AHEAD,
        "a number of batches 1-" + SettingBounds.MAX_BATCHES_AHEAD);
    Duration fetchTimeout = duration("catch_up.fetch_timeout");
    Duration noProgress = duration("catch_up.no_progress_timeout");

    List<String> allow = cidrs("peer_rpc_allow");
    ListenerLimits peerLimits = limits("limits.peer_rpc", true);
    ListenerLimits localLimits = limits("limits.local", false);
    long rangeRate = integer("limits.peer_rpc.range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    long strangerRangeRate = integer("limits.peer_rpc.stranger_range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    long peerRangeRate = integer("limits.peer_rpc.peer_range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    String mode = socketMode("unix_socket_mode");
    String group = optionalString("unix_socket_group");
    Set<Long> uids = uids("unix_allowed_uids");
    MetricsSettings metrics = metrics();
    String committee = optionalString("committee_path");
    Duration waitForSync = duration("master.wait_for_sync_timeout");
    Duration maxClockSkew = duration("master.max_clock_skew");
    long maxCommit = integer("block_channel.max_commit_bytes", 1024, Integer.MAX_VALUE - 64,
        "a number of bytes 1024-" + (Integer.MAX_VALUE - 64));
    String message = oneOf("block_channel.message", "committed_epoch_data", "executable_block");
    Set<Long> masterUids = uids("master_uids");
    List<String> executorAllow = cidrs("executor_allow");
    requireLocalOrAllowed("executor_receive_socket_path", localMaster, executorAllow);
    requireLocalOrAllowed("executor_send_socket_path", blockChannel, executorAllow);

    long checkpointBlock = integer(CheckpointSetting.BLOCK_KEY, 0, Long.MAX_VALUE,
        "a block number of at least 1, or 0 for no checkpoint");
    Optional<TrustedCheckpoint> checkpoint = checkpointBlock < 0 ? Optional.empty() : CheckpointSetting.of(checkpointBlock,
        config.hasPath(CheckpointSetting.HASH_KEY) ? String.valueOf(config.getValue(CheckpointSetting.HASH_KEY).unwrapped())
            : "", this::problem); // "" is the default: no checkpoint
    if (!problems.isEmpty()) {
      throw new ConfigValidationException(problems);
    }
    // quorum_f only means something for the quorum policy; with highest it is left aside.
    SelectionPolicy policy = SelectionPolicy.of(policyName,
        "quorum".equals(policyName) ? quorumF : OptionalInt.empty());
    DiscoveryOptions discovery = DiscoveryOptions.builder()
        .queryTimeout(timeout)
        .checkInterval(interval)
        .gapThreshold(threshold)
        .hysteresisBlocks(hysteresis)
        .selectionPolicy(policy)
        .minimumPeers(minPeers)
        .maxEpochJump(maxEpochJump)
        .backoffSteps(backoff)
        .batchSize(batch)
        .fetchLimits(new FetchLimits(parallelFetches, batchesAhead))
        .fetchTimeout(fetchTimeout)
        .noProgressTimeout(noProgress)
        .banDuration(banDuration)
        .tls(tls.orElse(null))
        .build();
    ListenerSettings listeners = new ListenerSettings(allow, peerLimits, localLimits, mode,
        Optional.ofNullable(group), uids, tls, executorAllow, masterUids, rangeRate, strangerRangeRate, peerRangeRate);
    MasterSettings master = new MasterSettings(Optional.ofNullable(committee).map(c -> Path.of(c.strip())),
        waitForSync, (int) maxCommit, "executable_block".equals(message), maxClockSkew, checkpoint);
    return new NodeConfig(nodeId, blockChannel, localMaster, List.copyOf(peers), peerRpc, storage, retention,
        discovery, listeners, metrics, master);
  }

  /** {@code enable_metrics}, {@code metrics_bind}, {@code metrics_port}, {@code metrics.interval}. */
  private MetricsSettings metrics() {
    Boolean enabled = bool("enable_metrics");
    int port = (int) integer("metrics_port", 0, 65535, "a port number 1-65535, or 0 for a free port");
    String bind = string("metrics_bind");
    if (bind != null) {
      try {
        InetAddress.getByName(bind.strip());
      } catch (UnknownHostException | SecurityException e) {
        problem("metrics_bind", value("metrics_bind"), "expected an address of this machine to bind to, such as"
            + " 127.0.0.1 or 0.0.0.0 (" + e.getMessage() + ")");
        bind = null;
      }
    }
    Duration interval = durationOrZero("metrics.interval");
    if (enabled == null || port < 0 || bind == null || interval == null) {
      return null; // a problem was recorded
    }
    return new MetricsSettings(enabled, bind.strip(), port, interval);
  }

  private Boolean bool(String key) {
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

  // ---- one method per kind of value; each records a problem and returns a neutral value ----

  private long integer(String key, long min, long max, String expected) {
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

  private static Long asLong(ConfigValue v) {
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

  private String string(String key) {
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

  private Path path(String key) {
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

  private Endpoint endpoint(String key) {
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

  private List<Endpoint> endpoints(String key) {
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
  private List<ConfigValue> list(String key, String expected) {
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
  private Duration duration(String key) {
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
  private String oneOf(String key, String... allowed) {
    String s = string(key);
    if (s != null && !java.util.Arrays.asList(allowed).contains(s.strip())) {
      problem(key, value(key), "expected one of " + String.join(", ", allowed));
      return null;
    }
    return s == null ? null : s.strip();
  }

  private String policyName(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() == ConfigValueType.STRING) {
      String s = ((String) v.unwrapped()).strip().toLowerCase(Locale.ROOT);
      if (s.equals("highest") || s.equals("quorum")) {
        return s;
      }
    }
    problem(key, v, "expected highest or quorum");
    return null;
  }

  private OptionalInt quorumF(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return OptionalInt.empty();
    }
    if (v.valueType() == ConfigValueType.STRING && ((String) v.unwrapped()).strip().equalsIgnoreCase("auto")) {
      return OptionalInt.empty();
    }
    Long n = asLong(v);
    if (n == null || n < 0 || n > 10_000) {
      problem(key, v, "expected auto or a number of faulty peers 0-10000");
      return OptionalInt.empty();
    }
    return OptionalInt.of(n.intValue());
  }

  /** A list of {failures, skip} objects, or a string "3:10s,5:30s,10:60s". */
  private List<BackoffStep> backoff(String key) {
    String expected = "expected steps in increasing order of failures, e.g. [{failures = 3, skip = 10s}] "
        + "or \"3:10s,5:30s,10:60s\"";
    List<ConfigValue> items = list(key, expected);
    List<BackoffStep> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      String itemKey = key + "[" + i + "]";
      BackoffStep step = backoffStep(item);
      if (step == null) {
        problem(itemKey, item, expected);
        return List.of();
      }
      if (!steps.isEmpty() && step.failures() <= steps.get(steps.size() - 1).failures()) {
        problem(itemKey, item, expected);
        return List.of();
      }
      if (!SettingBounds.BACKOFF_SKIP.contains(step.skipFor()) || step.failures() > 1_000_000) {
        problem(itemKey, item, "expected failures 1-1000000 and a skip " + SettingBounds.BACKOFF_SKIP.describe());
        return List.of();
      }
      steps.add(step);
    }
    return steps;
  }

  private static BackoffStep backoffStep(ConfigValue item) {
    try {
      if (item.valueType() == ConfigValueType.OBJECT) {
        Config c = ((ConfigObject) item).toConfig();
        return BackoffStep.of(c.getInt("failures"), c.getDuration("skip"));
      }
      if (item.valueType() == ConfigValueType.STRING) {
        String[] parts = ((String) item.unwrapped()).split(":");
        if (parts.length != 2) {
          return null;
        }
        Config c = ConfigFactory.parseMap(
            Map.of("failures", parts[0].strip(), "skip", parts[1].strip()));
        return BackoffStep.of(c.getInt("failures"), c.getDuration("skip"));
      }
    } catch (ConfigException | IllegalArgumentException e) {
      return null;
    }
    return null;
  }

  private List<String> cidrs(String key) {
    List<String> out = new ArrayList<>();
    List<ConfigValue> items = list(key, "expected a list of CIDR blocks, e.g. [\"192.168.1.0/24\"]");
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      String itemKey = key + "[" + i + "]";
      String expected = "expected a CIDR block such as 192.168.1.0/24, 127.0.0.1/32 or ::1/128";
      if (item.valueType() != ConfigValueType.STRING) {
        problem(itemKey, item, expected);
        continue;
      }
      String block = ((String) item.unwrapped()).strip();
      try {
        AccessPolicy.cidrs(List.of(block));
        out.add(block);
      } catch (IllegalArgumentException e) {
        problem(itemKey, item, expected);
      }
    }
    return out;
  }

  /**
   * An executor socket serves the full, mutating API: written as {@code tcp://} or {@code tls://}
   * it must be on loopback, or {@code executor_allow} must say who may connect.
   */
  private void requireLocalOrAllowed(String key, Endpoint endpoint, List<String> allow) {
    if (endpoint == null || !(endpoint.isTcp() || endpoint.isTls()) || !allow.isEmpty()
        || LoopbackHosts.isLoopback(endpoint.host())) {
      return; // Unix sockets and other transports' schemes have no network host to judge
    }
    problem(key, value(key), "an executor socket serves the full API (advance_epoch, sync_blocks) to whoever"
        + " connects: bind it to loopback (127.0.0.1, ::1, localhost) or a Unix socket path, or list who may"
        + " connect in executor_allow");
  }

  /**
   * A {@code limits.*} block; per-address caps, reserved slots and the unanswered-bytes bound only
   * where remote addresses exist (TCP).
   */
  private ListenerLimits limits(String prefix, boolean perAddress) {
    Duration idle = durationOrZero(prefix + ".idle_timeout");
    Duration partial = durationOrZero(prefix + ".partial_frame_timeout");
    int max = (int) integer(prefix + ".max_connections", 1, 1_000_000, "a number of connections 1-1000000");
    int perAddr = perAddress
        ? (int) integer(prefix + ".max_connections_per_address", 1, 1_000_000, "a number of connections 1-1000000")
        : max;
    int pipelined = (int) integer(prefix + ".max_pipelined", 1, 1_000_000, "a number of requests 1-1000000");
    int reserved = 0;
    int unanswered = ListenerLimits.DEFAULT_MAX_UNANSWERED_BYTES;
    if (perAddress) {
      reserved = (int) integer(prefix + ".reserved_for_peers", 0, 1_000_000,
          "a number of connections 0-1000000, fewer than max_connections");
      unanswered = (int) integer(prefix + ".max_unanswered_bytes", 4096, 1 << 30, "a number of bytes 4096-1073741824");
      if (max >= 1 && reserved >= max) {
        if (fromReference(prefix + ".reserved_for_peers")) {
          reserved = max / 2; // the default, under a smaller max_connections someone set: keep half
        } else {
          problem(prefix + ".reserved_for_peers", "expected fewer than " + prefix + ".max_connections (" + max + ")");
          reserved = -1;
        }
      }
    }
    if (idle == null || partial == null || max < 1 || perAddr < 1 || pipelined < 1 || reserved < 0 || unanswered < 1) {
      return null;
    }
    return new ListenerLimits(idle, partial, max, perAddr, pipelined, reserved, unanswered);
  }

  /** An octal mode that gives the owner read/write and no one execute: 0600, 0660, 0666. */
  private String socketMode(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    String m = s.strip();
    if (!m.matches("0?6[0246][0246]")) {
      problem(key, value(key), "expected an octal mode with owner read/write and no execute bits, e.g. \"0600\" "
          + "or \"0660\"");
      return null;
    }
    m = m.length() == 4 ? m.substring(1) : m;
    StringBuilder letters = new StringBuilder();
    for (char c : m.toCharArray()) {
      int bits = c - '0';
      letters.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append('-');
    }
    return letters.toString();
  }

  /** A string that may be empty (meaning unset). */
  private String optionalString(String key) {
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

  private Set<Long> uids(String key) {
    Set<Long> out = new LinkedHashSet<>();
    List<ConfigValue> items = list(key, "expected a list of uids, e.g. [1000, 1001]");
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      Long n = asLong(item);
      if (n == null || n < 0 || n > 4_294_967_294L) {
        problem(key + "[" + i + "]", item, "expected a uid 0-4294967294");
        continue;
      }
      out.add(n);
    }
    return out;
  }

  /** The {@code tls} block: all three paths (readable files) or none. */
  private Optional<TlsOptions> tls(String prefix) {
    String[] keys = {prefix + ".certificate_chain", prefix + ".private_key", prefix + ".trusted_certificates"};
    Path[] paths = new Path[3];
    String[] written = new String[3];
    int set = 0;
    for (int i = 0; i < 3; i++) {
      String s = optionalString(keys[i]);
      written[i] = s;
      if (s != null) {
        set++;
        try {
          paths[i] = Path.of(s);
          if (!Files.isReadable(paths[i]) || !Files.isRegularFile(paths[i])) {
            problem(keys[i], value(keys[i]), "expected a readable PEM file");
            paths[i] = null;
          }
        } catch (InvalidPathException e) {
          problem(keys[i], value(keys[i]), "expected a file system path (" + e.getReason() + ")");
        }
      }
    }
    if (set == 0) {
      return Optional.empty();
    }
    if (set < 3) {
      for (int i = 0; i < 3; i++) {
        if (written[i] == null) {
          problems.add(keys[i] + " is empty: expected a PEM file, since the other tls.* paths are set "
              + "(set all three for TLS, or none)");
        }
      }
      return Optional.empty();
    }
    if (paths[0] == null || paths[1] == null || paths[2] == null) {
      return Optional.empty();
    }
    return Optional.of(new TlsOptions(paths[0], paths[1], paths[2]));
  }

  /** A duration of zero (off), or one within the key's {@link SettingBounds}. */
  private Duration durationOrZero(String key) {
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

  // ---- plumbing ----

  /** Whether the key's value is reference.conf's default, not set by the user. */
  private boolean fromReference(String key) {
    ConfigValue v = config.hasPath(key) ? config.getValue(key) : null;
    String description = v == null ? null : v.origin().description();
    return description != null && description.contains("reference.conf");
  }

  private ConfigValue value(String key) {
    if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
      problems.add(key + " is missing: expected a value (see reference.conf)");
      return null;
    }
    return config.getValue(key);
  }

  private void problem(String key, ConfigValue v, String expectation) {
    problems.add(key + " = " + render(v) + ": " + expectation + origin(v));
  }

  private void problem(String key, String expectation) {
    ConfigValue v = config.hasPath(key) ? config.getValue(key) : null;
    problems.add(key + " = " + (v == null ? "(none)" : render(v)) + ": " + expectation + (v == null ? "" : origin(v)));
  }

  private static String render(ConfigValue v) {
    return v.render(ConfigRenderOptions.concise());
  }

  private static String origin(ConfigValue v) {
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
  private static String expectedFrom(InvalidEndpointException e) {
    String msg = e.getMessage();
    int i = msg.indexOf("': expected ");
    return i >= 0 ? msg.substring(i + 3) : msg;
  }
}
