package io.flock.privacy.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {

  @TempDir Path dir;

  static NodeIdentity fixed(int b) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) b);
    return NodeIdentity.fromSeed(seed);
  }

  @Test
  void signatureVerifiesUnderItsOwnKeyOnly() {
    NodeIdentity alice = fixed(1);
    NodeIdentity bob = fixed(2);
    byte[] msg = "register node-0001 round 7".getBytes(StandardCharsets.UTF_8);
    byte[] sig = alice.sign(msg);
    assertEquals(3309, sig.length); // FIPS 204 Table 2: ML-DSA-65 signature size
    assertEquals(1952, alice.publicKey().length); // ML-DSA-65 public key size
    assertTrue(NodeIdentity.verify(alice.publicKey(), msg, sig));
    assertFalse(NodeIdentity.verify(bob.publicKey(), msg, sig));
    msg[0] ^= 1;
    assertFalse(NodeIdentity.verify(alice.publicKey(), msg, sig));
    assertFalse(NodeIdentity.verify(new byte[10], msg, sig));
  }

  @Test
  void savedIdentityLoadsWithTheSameKeyAndOwnerOnlyPermissions() throws IOException {
    NodeIdentity id = NodeIdentity.generate(new SecureRandom());
    Path file = dir.resolve("node.identity");
    id.save(file);
    NodeIdentity loaded = NodeIdentity.load(file);
    assertArrayEquals(id.publicKey(), loaded.publicKey());
    assertEquals("rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(id.toString().contains(java.util.Base64.getEncoder().encodeToString(id.publicKey()).substring(0, 20)));
  }

  @Test
  void malformedIdentityFileIsRejectedWithItsName() throws IOException {
    Path file = Files.writeString(dir.resolve("bad"), "hello\n");
    IOException e = assertThrows(IOException.class, () -> NodeIdentity.load(file));
    assertTrue(e.getMessage().contains("bad") && e.getMessage().contains("not a Flock identity"));
  }

  @Test
  void allowlistAdmitsListedKeysOnly() throws IOException {
    NodeIdentity in = fixed(3);
    NodeIdentity out = fixed(4);
    Path file = Files.writeString(dir.resolve("allow"),
        "# federation members\n" + in.fingerprint() + "  # hospital A\n\n");
    Allowlist list = Allowlist.load(file);
    assertEquals(1, list.size());
    assertTrue(list.admits(in.publicKey()));
    assertFalse(list.admits(out.publicKey()));
  }

  @Test
  void allowlistLineThatIsNotAFingerprintIsReportedWithItsLine() throws IOException {
    Path file = Files.writeString(dir.resolve("allow"), "# ok\nnot-hex\n");
    IOException e = assertThrows(IOException.class, () -> Allowlist.load(file));
    assertTrue(e.getMessage().contains("allow:2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Allowlist.of(List.of("abc")));
  }

  @Test
  void allowlistEntryCanBindAKeyToOneNodeIdAndRoundTripsThroughItsEntries() throws IOException {
    NodeIdentity bound = fixed(5);
    NodeIdentity free = fixed(6);
    Path file = Files.writeString(dir.resolve("allow"),
        bound.fingerprint() + " node-0005  # hospital B\n" + free.fingerprint() + "\n");
    Allowlist list = Allowlist.load(file);
    assertEquals("node-0005", list.boundNode(bound.publicKey()));
    assertEquals(null, list.boundNode(free.publicKey()));
    assertEquals(list.entries(), Allowlist.of(list.entries()).entries());
    Path bad = Files.writeString(dir.resolve("bad"), bound.fingerprint() + " node-1 extra\n");
    IOException e = assertThrows(IOException.class, () -> Allowlist.load(bad));
    assertTrue(e.getMessage().contains("bad:1") && e.getMessage().contains("is not FINGERPRINT [NODE-ID]"),
        e.getMessage());
  }
}
