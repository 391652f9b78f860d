package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consensus node's committee file, both shapes, and every way it can be wrong. */
class CommitteeFileTest {
  @TempDir Path dir;

  @Test
  void bothShapesGiveTheValidatorsFields1To5InFileOrder() throws Exception {
    for (boolean wrapped : new boolean[] {false, true}) {
      Path file = CommitteeFiles.write(dir.resolve("c" + wrapped + ".json"), 4, "k", wrapped);
      List<ValidatorInfo> v = new CommitteeFile(file).read();
      assertEquals(4, v.size());
      assertEquals(ValidatorInfo.ofCommittee("/ip4/127.0.0.1/tcp/9002", "1", "k-bls-2", "k-ed-2", "k-net-2"), v.get(2));
    }
  }

  private String refused(String json) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, json);
    String message = assertThrows(IOException.class, () -> new CommitteeFile(file).read()).getMessage();
    assertTrue(message.startsWith("committee_path = " + file + ": "), message);
    return message;
  }

  @Test
  void aBadFileIsRefusedNamingTheKeyTheFileAndTheProblem() throws Exception {
    assertTrue(assertThrows(IOException.class, () -> new CommitteeFile(dir.resolve("none.json")).read()).getMessage()
        .contains("committee_path = " + dir.resolve("none.json") + ": no such file"));
    assertTrue(refused("{\"authorities\": [").contains("not valid JSON"));
    assertTrue(refused("{\"epoch\": 1}").contains("\"authorities\" list"));
    assertTrue(refused("{\"authorities\": []}").contains("is empty"));
    assertTrue(refused("{\"authorities\": [{\"stake\": 1, \"address\": \"a\", \"protocol_key\": \"p\", \"network_key\": \"n\"}]}")
        .contains("authorities[0].authority_key is missing"));
    assertTrue(refused("{\"authorities\": [{\"stake\": -1, \"address\": \"a\", \"authority_key\": \"b\","
        + " \"protocol_key\": \"p\", \"network_key\": \"n\"}]}").contains("authorities[0].stake must be a whole number"));
    assertTrue(refused("{\"committee\": 5}").contains("\"committee\" must be an object"));
  }

  @Test
  void withoutAFileEveryReadNamesTheKey() {
    assertTrue(assertThrows(IOException.class, CommitteeSource.NONE::read).getMessage().contains("committee_path is not set"));
  }
}
