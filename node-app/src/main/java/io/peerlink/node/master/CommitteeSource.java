package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.util.List;

/** Where a master reads the committee an epoch starts with: the consensus node's committee file. */
@FunctionalInterface
public interface CommitteeSource {

  /** No committee file configured: every read fails, naming {@code committee_path}. */
  CommitteeSource NONE = () -> {
    throw new IOException("committee_path is not set: this master has no committee file to read validators from");
  };

  /**
   * The validators, in the file's order.
   *
   * @throws IOException naming {@code committee_path}, the file and what is wrong with it
   */
  List<ValidatorInfo> read() throws IOException;
}
