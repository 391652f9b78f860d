package io.peerlink.node.config;

import io.peerlink.transport.api.TlsOptions;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Binds the {@code tls} block: all three PEM paths (readable files) or none. The peer port
 * listens with it and peers written {@code tls://} are queried with it.
 */
final class TlsBinder {

  private final ConfigReader r;
  private final Optional<TlsOptions> options;

  /** Reads the keys, recording each bad value in {@code r}. */
  TlsBinder(ConfigReader r) {
    this.r = r;
    this.options = tls("tls");
  }

  /** The TLS options, or empty when none are set (or the set ones are bad). */
  Optional<TlsOptions> options() {
    return options;
  }

  /** The {@code tls} block: all three paths (readable files) or none. */
  private Optional<TlsOptions> tls(String prefix) {
    String[] keys = {prefix + ".certificate_chain", prefix + ".private_key", prefix + ".trusted_certificates"};
    Path[] paths = new Path[3];
    String[] written = new String[3];
    int set = 0;
    for (int i = 0; i < 3; i++) {
      String s = r.optionalString(keys[i]);
      written[i] = s;
      if (s != null) {
        set++;
        try {
          paths[i] = Path.of(s);
          if (!Files.isReadable(paths[i]) || !Files.isRegularFile(paths[i])) {
            r.problem(keys[i], r.value(keys[i]), "expected a readable PEM file");
            paths[i] = null;
          }
        } catch (InvalidPathException e) {
          r.problem(keys[i], r.value(keys[i]), "expected a file system path (" + e.getReason() + ")");
        }
      }
    }
    if (set == 0) {
      return Optional.empty();
    }
    if (set < 3) {
      for (int i = 0; i < 3; i++) {
        if (written[i] == null) {
          r.problem(keys[i] + " is empty: expected a PEM file, since the other tls.* paths are set "
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
}
