package io.peerlink.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level command: global options and the subcommands. */
@Command(name = "peerlink",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Blockchain peer discovery over pluggable transports, wire-compatible with the seed system.",
    subcommands = {
        RunCommand.class,
        StatusCommand.class,
        CheckSyncCommand.class,
        TransportsCommand.class,
        SendBlocksCommand.class,
        StoreCommand.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class
    })
public final class PeerlinkCommand implements Runnable {

  /** Exit code of a command that failed. */
  public static final int EXIT_ERROR = 1;
  /** Exit code of {@code check-sync} when the node is behind. */
  public static final int EXIT_BEHIND = 3;
  /** Exit code of {@code check-sync} when peers are configured but none answered in the protocol. */
  public static final int EXIT_ISOLATED = 4;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log at DEBUG level.")
  void debug(boolean on) {
    if (on) {
      Logging.enableDebug();
    }
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No subcommand: show the usage.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Parses and runs; returns the exit code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Parses and runs with the given output streams (tests); returns the exit code. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return commandLine().setOut(out).setErr(err).execute(args);
  }

  private static CommandLine commandLine() {
    return new CommandLine(new PeerlinkCommand()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
