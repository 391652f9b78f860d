package io.peerlink.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Run-time log level changes; logback.xml sets INFO. */
final class Logging {

  private Logging() {
  }

  /** DEBUG for peerlink's own loggers (including System.Logger ones from the library modules). */
  static void enableDebug() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
      ctx.getLogger("io.peerlink").setLevel(Level.DEBUG);
    }
  }

  /** Only warnings and errors from peerlink's loggers: commands that print their own lines. */
  static void quiet() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
      ctx.getLogger("io.peerlink").setLevel(Level.WARN);
    }
  }
}
