package io.peerlink.node;

import io.peerlink.node.cli.PeerlinkCommand;

/** The entry point of {@code peerlink.jar} and the {@code ./peerlink} launcher. */
public final class Main {

  private Main() {
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(PeerlinkCommand.execute(args));
  }
}
