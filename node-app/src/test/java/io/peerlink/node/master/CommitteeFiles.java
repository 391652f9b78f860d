package io.peerlink.node.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Committee files in the consensus node's JSON shapes, for tests. */
public final class CommitteeFiles {
  private CommitteeFiles() {}

  /** A committee of {@code n} authorities whose keys start with {@code tag}, written to {@code file}. */
  public static Path write(Path file, int n, String tag, boolean wrapped) throws IOException {
    List<String> authorities = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      authorities.add("{\"stake\": 1, \"address\": \"/ip4/127.0.0.1/tcp/" + (9000 + i) + "\", \"hostname\": \"node-" + i
          + "\", \"authority_key\": \"" + tag + "-bls-" + i + "\", \"protocol_key\": \"" + tag + "-ed-" + i
          + "\", \"network_key\": \"" + tag + "-net-" + i + "\"}");
    }
    String committee = "{\"epoch\": 0, \"total_stake\": " + n + ", \"quorum_threshold\": " + (2 * n / 3 + 1)
        + ", \"validity_threshold\": " + (n / 3 + 1) + ", \"authorities\": [" + String.join(", ", authorities) + "]}";
    String json = wrapped ? "{\"committee\": " + committee + ", \"epoch_timestamp_ms\": 1700000000000,"
        + " \"last_global_exec_index\": 0}" : committee;
    Files.writeString(file, json);
    return file;
  }
}
