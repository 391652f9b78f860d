package io.peerlink.node.master;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes every chain a test opened, after each test: register with
 * {@code @RegisterExtension final OpenedChains chains = new OpenedChains();} and open through
 * {@link #track}.
 */
final class OpenedChains implements AfterEachCallback {
  private final List<ChainState> opened = new ArrayList<>();

  /** Remembers {@code state} for closing after the test, and returns it. */
  ChainState track(ChainState state) {
    opened.add(state);
    return state;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (ChainState state : opened) {
      state.close();
    }
    opened.clear();
  }
}
