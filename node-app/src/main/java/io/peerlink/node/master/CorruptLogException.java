package io.peerlink.node.master;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The chain log is damaged in a way no crash can have caused (bit rot, a file edited, removed or
 * replaced by hand). The store refuses to open rather than serve a wrong or shorter chain, and
 * leaves the bytes in place; the message names the file, the byte offset, the problem and what
 * an operator can do.
 */
final class CorruptLogException extends IOException {
  private static final long serialVersionUID = 1L;

  CorruptLogException(Path file, long offset, String problem) {
    super("chain log " + file + " is corrupt at byte " + offset + ": " + problem
        + ". The files are left as they are: only a torn final write is repaired automatically."
        + " Move the storage directory aside (the master then starts empty and catches up from its peers)"
        + " or restore it from a backup");
  }

  CorruptLogException(String message) {
    super(message);
  }
}
