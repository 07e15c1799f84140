package io.flock.privacy.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.MLDSAKeyPairGenerator;
import org.bouncycastle.crypto.params.MLDSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.signers.MLDSASigner;

/**
 * A node's long-term identity: an ML-DSA-65 key pair (FIPS 204, security category 3) from Bouncy
 * Castle's lightweight API. Nodes sign their registration and protocol messages with it; the
 * coordinator admits only public keys on the federation's {@link Allowlist}.
 *
 * <p>The private key is stored as its 32-byte seed (FIPS 204's compact form) in a file readable
 * by its owner only. {@link #toString()} never shows key material.
 */
public final class NodeIdentity {

  /** The parameter set of every Flock identity. */
  public static final MLDSAParameters PARAMETERS = MLDSAParameters.ml_dsa_65;

  private static final String FILE_HEADER = "flock-identity ml-dsa-65 seed";

  private final MLDSAPrivateKeyParameters privateKey;
  private final MLDSAPublicKeyParameters publicKey;

  private NodeIdentity(MLDSAPrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.getPublicKeyParameters();
  }

  /** A fresh identity from {@code random} (use a {@link SecureRandom}). */
  public static NodeIdentity generate(SecureRandom random) {
    MLDSAKeyPairGenerator gen = new MLDSAKeyPairGenerator();
    gen.init(new MLDSAKeyGenerationParameters(random, PARAMETERS));
    AsymmetricCipherKeyPair pair = gen.generateKeyPair();
    return new NodeIdentity((MLDSAPrivateKeyParameters) pair.getPrivate());
  }

  /** The identity whose private key is the 32-byte FIPS 204 seed {@code seed}. */
  public static NodeIdentity fromSeed(byte[] seed) {
    if (seed == null || seed.length != 32) {
      throw new IllegalArgumentException(
          "an ML-DSA seed has 32 bytes, got " + (seed == null ? "none" : seed.length));
    }
    return new NodeIdentity(new MLDSAPrivateKeyParameters(PARAMETERS, seed));
  }

  /** Loads an identity written by {@link #save}. */
  public static NodeIdentity load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    if (lines.size() < 2 || !FILE_HEADER.equals(lines.get(0).trim())) {
      throw new IOException(
          file + " is not a Flock identity file (first line must be '" + FILE_HEADER + "')");
    }
    try {
      return fromSeed(Base64.getDecoder().decode(lines.get(1).trim()));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " holds a malformed seed: " + e.getMessage(), e);
    }
  }

  /** Writes the private seed to {@code file} atomically, readable by its owner only. */
  public void save(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".identity", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the directory's protection applies
      }
      String body = FILE_HEADER + "\n" + Base64.getEncoder().encodeToString(privateKey.getSeed()) + "\n";
      Files.writeString(tmp, body, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The encoded public key (1,952 bytes for ML-DSA-65). */
  public byte[] publicKey() {
    return publicKey.getEncoded();
  }

  /** SHA-256 of the encoded public key, hex: the name of this identity on an allowlist. */
  public String fingerprint() {
    return fingerprint(publicKey());
  }

  /** SHA-256 hex fingerprint of an encoded ML-DSA-65 public key. */
  public static String fingerprint(byte[] encodedPublicKey) {
    SHA256Digest sha = new SHA256Digest();
    sha.update(encodedPublicKey, 0, encodedPublicKey.length);
    byte[] out = new byte[32];
    sha.doFinal(out, 0);
    return HexFormat.of().formatHex(out);
  }

  /** An ML-DSA-65 signature of {@code message} (hedged: randomized with fresh randomness). */
  public byte[] sign(byte[] message) {
    MLDSASigner signer = new MLDSASigner();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    try {
      return signer.generateSignature();
    } catch (CryptoException e) {
      throw new IllegalStateException("ML-DSA signing failed", e);
    }
  }

  /**
   * Verifies {@code signature} over {@code message} under the encoded public key.
   *
   * @return false for a wrong signature, a wrong key, or a malformed key
   */
  public static boolean verify(byte[] encodedPublicKey, byte[] message, byte[] signature) {
    MLDSAPublicKeyParameters key;
    try {
      key = new MLDSAPublicKeyParameters(PARAMETERS, encodedPublicKey);
    } catch (RuntimeException e) {
      return false;
    }
    MLDSASigner verifier = new MLDSASigner();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  @Override
  public String toString() {
    return "NodeIdentity[ml-dsa-65, fingerprint=" + fingerprint().substring(0, 16) + "...]";
  }
}
