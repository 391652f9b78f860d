package io.peerlink.node.master;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The chain log is damaged somewhere other than its tail, where no crash can have torn it (bit
 * rot, a file edited or removed by hand). The store refuses to open rather than serve a wrong
 * chain; the message names the file, the byte offset and the problem.
 */
final class CorruptLogException extends IOException {
  private static final long serialVersionUID = 1L;

  CorruptLogException(Path file, long offset, String problem) {
    super("chain log " + file + " is corrupt at byte " + offset + ": " + problem
        + ". Only a torn tail is repaired automatically; move the storage directory aside to"
        + " start empty and catch up from peers");
  }

  CorruptLogException(String message) {
    super(message);
  }
}
