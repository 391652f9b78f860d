package io.peerlink.node.cli;

import picocli.CommandLine.Model.CommandSpec;

/** What the offline {@code store} commands ({@code set-epoch}, {@code rollback}) share: reading a u64 option, and failing. */
final class StoreCommands {

  private StoreCommands() {
  }

  /**
   * {@code text} as an unsigned 64-bit number.
   *
   * @param what what the option expects, e.g. "a block number"
   * @throws IllegalArgumentException naming the option, the value and the range
   */
  static long unsigned(String option, String text, String what) {
    try {
      return Long.parseUnsignedLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " = \"" + text + "\": expected " + what
          + " 0 to 18446744073709551615");
    }
  }

  /** Writes {@code peerlink store <command>: message} to standard error; the exit code of a failure. */
  static int fail(CommandSpec spec, String command, String message) {
    spec.commandLine().getErr().println("peerlink store " + command + ": " + message);
    spec.commandLine().getErr().flush();
    return PeerlinkCommand.EXIT_ERROR;
  }
}
