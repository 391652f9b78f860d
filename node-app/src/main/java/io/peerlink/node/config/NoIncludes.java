package io.peerlink.node.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import java.io.File;
import java.net.URL;

/**
 * Refuses every {@code include} in a node's file. A node's configuration is the one file the
 * operator names; an {@code include url(...)} would fetch from the network while parsing. All four
 * includer interfaces are implemented, since Typesafe Config falls back to its own loader for any
 * kind an includer does not handle.
 */
final class NoIncludes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {

  static final NoIncludes INSTANCE = new NoIncludes();

  private NoIncludes() {
  }

  private static ConfigException refuse(ConfigIncludeContext context, String what) {
    return new ConfigException.Generic("include " + what + " is not allowed: a node's configuration is one file");
  }

  @Override
  public ConfigIncluder withFallback(ConfigIncluder fallback) {
    return this;
  }

  @Override
  public ConfigObject include(ConfigIncludeContext context, String what) {
    throw refuse(context, "\"" + what + "\"");
  }

  @Override
  public ConfigObject includeFile(ConfigIncludeContext context, File what) {
    throw refuse(context, "file(\"" + what + "\")");
  }

  @Override
  public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
    throw refuse(context, "url(\"" + what + "\")");
  }

  @Override
  public ConfigObject includeResources(ConfigIncludeContext context, String what) {
    throw refuse(context, "classpath(\"" + what + "\")");
  }
}
