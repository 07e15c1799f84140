package io.flock.privacy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationCertificatesTest {

  @TempDir Path dir;
  @TempDir Path otherDir;

  final FederationCertificates certs = new FederationCertificates(new SecureRandom());

  @Test
  void memberCertificateChainsToItsFederationCaAndNotToAnother() throws Exception {
    X509Certificate ca = certs.ensureCa(dir, "hospitals");
    X509Certificate otherCa = certs.ensureCa(otherDir, "intruders");
    FederationCertificates.MemberFiles seed = certs.issueMember(dir, "seed", List.of("127.0.0.1", "localhost"));

    KeyStore ks = FederationCertificates.load(seed.keyStore());
    X509Certificate cert = (X509Certificate) ks.getCertificate("seed");
    assertEquals("CN=seed", cert.getSubjectX500Principal().getName());
    assertTrue(FederationCertificates.issuedBy(cert, ca));
    assertFalse(FederationCertificates.issuedBy(cert, otherCa), "a certificate from another CA must not pass");
    assertTrue(ks.isKeyEntry("seed"));
    assertEquals(2, ks.getCertificateChain("seed").length);
    assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("127.0.0.1")));
  }

  @Test
  void trustStoreHoldsOnlyTheCaAndSecretsAreOwnerOnly() throws Exception {
    X509Certificate ca = certs.ensureCa(dir, "banks");
    KeyStore trust = FederationCertificates.load(dir.resolve(FederationCertificates.TRUST_STORE));
    assertEquals(1, trust.size());
    assertEquals(ca, trust.getCertificate(trust.aliases().nextElement()));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(FederationCertificates.passwordFile(dir.resolve(FederationCertificates.CA_STORE)))));
    assertEquals(ca, certs.ensureCa(dir, "banks"), "an existing CA is kept, not replaced");
  }

  @Test
  void issuingWithoutACaOrWithABadNameFailsClearly() throws Exception {
    IOException e = assertThrows(IOException.class, () -> certs.issueMember(dir, "m1", List.of("localhost")));
    assertTrue(e.getMessage().contains("no federation CA"), e.getMessage());
    certs.ensureCa(dir, "x");
    assertThrows(IllegalArgumentException.class, () -> certs.issueMember(dir, "../evil", List.of("localhost")));
    assertThrows(IllegalArgumentException.class, () -> certs.issueMember(dir, "m1", List.of()));
  }
}
