package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;

/** One item read from a token file: an object of token fields or a plain value, and where it was ({@code file:line}). */
public record TokenInput(JsonNode item, String where) {}
