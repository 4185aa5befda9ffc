package io.couchwork.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.PlainHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Traces each token that ran more than once to a write the server acknowledged and then lost: the first execution's
 * claim id is in no revision of the token (a lost claim), or its run ended as "lease expired" although its worker lived
 * and renewed its leases until its result was acknowledged (a lost result). Whatever is left is Couchwork's fault.
 */
record LostWrites(int lostClaims, int lostResults, List<String> unexplained) {

    static LostWrites explain(PlainHttp http, Executions executions) {
        Map<String, List<String>> claimsByToken = new HashMap<>();
        executions.all().forEach(e -> claimsByToken.computeIfAbsent(e.tokenId(), k -> new ArrayList<>()).add(e.claimId()));
        int lostClaims = 0;
        int lostResults = 0;
        List<String> unexplained = new ArrayList<>();
        for (Map.Entry<String, List<String>> token : claimsByToken.entrySet()) {
            if (token.getValue().size() < 2) {
                continue;
            }
            JsonNode current = http.doc(token.getKey());
            Map<String, String> outcomes = new HashMap<>();
            current.path("runs").forEach(run -> outcomes.put(run.path("claim_id").asText(), run.path("outcome").asText()));
            Set<String> claimsInHistory = claimsInRevisions(http, token.getKey());
            for (String claim : token.getValue()) {
                if ("done".equals(outcomes.get(claim))) {
                    continue; // the execution whose result stands
                }
                if (!claimsInHistory.contains(claim)) {
                    lostClaims++;
                } else if ("lease expired".equals(outcomes.get(claim))) {
                    lostResults++;
                } else {
                    unexplained.add(token.getKey() + " (claim " + claim + ": " + outcomes.get(claim) + ")");
                }
            }
        }
        return new LostWrites(lostClaims, lostResults, unexplained);
    }

    private static Set<String> claimsInRevisions(PlainHttp http, String id) {
        Set<String> claims = new HashSet<>();
        for (JsonNode rev : http.get("/" + id + "?revs_info=true").path("_revs_info")) {
            if ("available".equals(rev.path("status").asText())) {
                JsonNode doc = http.get("/" + id + "?rev=" + URLEncoder.encode(rev.path("rev").asText(),
                        StandardCharsets.UTF_8));
                claims.add(doc.path("claim_id").asText());
            }
        }
        return claims;
    }
}
