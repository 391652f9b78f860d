package io.peerlink.node.master;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueType;
import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The consensus node's committee file ({@code committee_path}), read as JSON with Typesafe Config,
 * in either shape of PROTOCOL.md: a committee ({@code {"epoch", "total_stake", ..., "authorities":
 * [...]}}) or one wrapped with the epoch's metadata ({@code {"committee": {...},
 * "epoch_timestamp_ms", "last_global_exec_index"}}). Each authority becomes a {@link ValidatorInfo}
 * of fields 1-5: {@code address}, {@code stake} (as a decimal string), {@code authority_key},
 * {@code protocol_key}, {@code network_key}. The file is read anew on every call, so a changed
 * file is seen at the next epoch.
 */
public final class CommitteeFile implements CommitteeSource {

  private final Path path;

  /** @param path the file {@code committee_path} names */
  public CommitteeFile(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  @Override
  public List<ValidatorInfo> read() throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new IOException(where() + ": no such file");
    }
    Config root;
    try {
      root = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)
          .setAllowMissing(false));
    } catch (ConfigException e) {
      throw new IOException(where() + ": not valid JSON: " + e.getMessage(), e);
    }
    Config committee = root.hasPath("committee") ? object(root, "committee") : root;
    if (!committee.hasPath("authorities") || committee.getValue("authorities").valueType() != ConfigValueType.LIST) {
      throw new IOException(where() + ": expected a committee with an \"authorities\" list (or one inside \"committee\")");
    }
    List<? extends Config> authorities = committee.getConfigList("authorities");
    if (authorities.isEmpty()) {
      throw new IOException(where() + ": \"authorities\" is empty; a committee needs at least one validator");
    }
    List<ValidatorInfo> validators = new ArrayList<>(authorities.size());
    for (int i = 0; i < authorities.size(); i++) {
      Config a = authorities.get(i);
      String at = "authorities[" + i + "]";
      validators.add(ValidatorInfo.ofCommittee(text(a, "address", at), stake(a, at), text(a, "authority_key", at),
          text(a, "protocol_key", at), text(a, "network_key", at)));
    }
    return validators;
  }

  private String where() {
    return "committee_path = " + path;
  }

  private Config object(Config c, String key) throws IOException {
    try {
      return c.getConfig(key);
    } catch (ConfigException e) {
      throw new IOException(where() + ": \"" + key + "\" must be an object: " + e.getMessage(), e);
    }
  }

  private String text(Config a, String key, String at) throws IOException {
    try {
      String v = a.getString(key);
      if (v.isBlank()) {
        throw new IOException(where() + ": " + at + "." + key + " is empty");
      }
      return v;
    } catch (ConfigException e) {
      throw new IOException(where() + ": " + at + "." + key + " is missing or not a string", e);
    }
  }

  private String stake(Config a, String at) throws IOException {
    try {
      BigDecimal stake = new BigDecimal(a.getValue("stake").unwrapped().toString());
      if (stake.signum() < 0 || stake.stripTrailingZeros().scale() > 0) {
        throw new NumberFormatException("not a whole number of 0 or more");
      }
      return stake.toBigInteger().toString();
    } catch (ConfigException | NumberFormatException e) {
      throw new IOException(where() + ": " + at + ".stake must be a whole number of 0 or more: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return where();
  }
}
