package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validator of JSON values against a schema of a Google API Discovery document (the dialect
 * of {@code src/test/resources/schemas/gcp}, see PROVENANCE.txt there): {@code type} object,
 * array, string, integer, boolean; {@code properties} (a property the schema does not name is
 * an error, as the API rejects unknown fields); {@code items}; {@code $ref} by schema id;
 * {@code enum}; {@code pattern}; {@code format} int32; properties whose description starts
 * with "[Output Only]" must be absent from a request; {@code annotations.required} for the
 * method named. Limits that Google writes only in prose are read from the descriptions: the
 * regular expression and length a name must match, and an integer's "between `A` and `B`".
 */
final class GcpDiscoverySchema {

    private static final Pattern NAME_RULE = Pattern.compile(
            "must be (\\d+)-(\\d+) characters long and match the regular expression `([^`]+)`");
    private static final Pattern BETWEEN = Pattern.compile("between `(-?\\d+)` and `(-?\\d+)`");

    private final JsonNode schemas;

    private GcpDiscoverySchema(JsonNode document) {
        this.schemas = document.get("schemas");
    }

    static GcpDiscoverySchema load() {
        try (InputStream in = GcpDiscoverySchema.class.getResourceAsStream(
                "/schemas/gcp/gcp-compute-v1-Firewall-discovery-extract.json")) {
            if (in == null) throw new IllegalStateException("the GCP schema is not in the test resources");
            return new GcpDiscoverySchema(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problems of {@code value} as the request body of {@code method} taking schema {@code id}; empty when valid. */
    List<String> validate(JsonNode value, String id, String method) {
        List<String> errors = new ArrayList<>();
        JsonNode schema = schemas.get(id);
        if (schema == null) throw new IllegalArgumentException("no schema " + id);
        check(value, schema, "$", method, errors);
        return errors;
    }

    private void check(JsonNode value, JsonNode schema, String path, String method, List<String> errors) {
        if (schema.has("$ref")) {
            JsonNode target = schemas.get(schema.get("$ref").asText());
            if (target == null) throw new IllegalArgumentException("unresolved $ref " + schema.get("$ref") + " at " + path);
            check(value, target, path, method, errors);
            return;
        }
        String type = schema.path("type").asText();
        switch (type) {
            case "object" -> object(value, schema, path, method, errors);
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) check(value.get(i), schema.get("items"), path + "[" + i + "]", method, errors);
            }
            case "string" -> string(value, schema, path, errors);
            case "integer" -> integer(value, schema, path, errors);
            case "boolean" -> {
                if (!value.isBoolean()) errors.add(path + ": not a boolean");
            }
            default -> throw new IllegalArgumentException("schema type '" + type + "' at " + path + " is not supported");
        }
    }

    private void object(JsonNode value, JsonNode schema, String path, String method, List<String> errors) {
        if (!value.isObject()) {
            errors.add(path + ": not an object");
            return;
        }
        JsonNode properties = schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode property = properties.get(field.getKey());
            if (property == null) {
                errors.add(path + ": unknown property '" + field.getKey() + "'");
            } else if (property.path("description").asText().startsWith("[Output Only]")) {
                errors.add(path + ": '" + field.getKey() + "' is output only");
            } else {
                check(field.getValue(), property, path + "." + field.getKey(), method, errors);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            for (JsonNode required : property.getValue().path("annotations").path("required")) {
                if (required.asText().equals(method) && !value.has(property.getKey())) {
                    errors.add(path + ": '" + property.getKey() + "' is required by " + method);
                }
            }
        }
    }

    private static void string(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (!value.isTextual()) {
            errors.add(path + ": not a string");
            return;
        }
        String text = value.asText();
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode option : schema.get("enum")) listed |= option.asText().equals(text);
            if (!listed) errors.add(path + ": '" + text + "' is not one of " + schema.get("enum"));
        }
        if (schema.has("pattern") && !text.matches(schema.get("pattern").asText())) {
            errors.add(path + ": '" + text + "' does not match " + schema.get("pattern").asText());
        }
        Matcher rule = NAME_RULE.matcher(schema.path("description").asText());
        if (rule.find()) {
            int length = text.codePointCount(0, text.length());
            if (length < Integer.parseInt(rule.group(1)) || length > Integer.parseInt(rule.group(2))) {
                errors.add(path + ": '" + text + "' is not " + rule.group(1) + "-" + rule.group(2) + " characters long");
            }
            if (!text.matches(rule.group(3))) errors.add(path + ": '" + text + "' does not match " + rule.group(3));
        }
    }

    private static void integer(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (!value.isIntegralNumber()) {
            errors.add(path + ": not an integer");
            return;
        }
        long number = value.asLong();
        if (schema.path("format").asText().equals("int32") && (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)) {
            errors.add(path + ": " + number + " is not an int32");
        }
        Matcher between = BETWEEN.matcher(schema.path("description").asText());
        if (between.find() && (number < Long.parseLong(between.group(1)) || number > Long.parseLong(between.group(2)))) {
            errors.add(path + ": " + number + " is not between " + between.group(1) + " and " + between.group(2));
        }
    }
}
