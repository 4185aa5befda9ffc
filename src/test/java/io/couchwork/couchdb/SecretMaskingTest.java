package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Masking credentials in text bound for logs. */
class SecretMaskingTest {

    @Test
    void should_mask_user_info_in_every_url() {
        assertThat(SecretMasking.maskUrl("from http://admin:pw@a:5984/db to https://u@b/x"))
                .isEqualTo("from http://***@a:5984/db to https://***@b/x");
    }

    @Test
    void should_leave_urls_without_credentials_alone() {
        assertThat(SecretMasking.maskUrl("GET http://a:5984/db/doc@1")).isEqualTo("GET http://a:5984/db/doc@1");
    }

    @Test
    void should_mask_a_known_secret_anywhere() {
        assertThat(SecretMasking.mask("password is s3cret, really s3cret", "s3cret"))
                .isEqualTo("password is ******, really ******");
    }
}
