package io.portpolicy.compile.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a shape of a botocore service model (the description of an AWS
 * API the AWS SDKs are generated from, e.g. {@code botocore/data/ec2/2016-11-15/service-2.json}),
 * as the SDK's parameter validation does before it sends a request: structures hold only their
 * members and every required one, lists hold members of their shape within min/max, strings
 * match their enum, pattern and length, integers their range, booleans are booleans. A value's
 * field names are the members' names (as in the SDKs and the CLI's JSON), not the wire
 * protocol's {@code locationName}s.
 *
 * <p>Shape types the loaded model uses but this reader does not know fail the check rather than
 * pass silently.
 */
public final class BotocoreShapes {

    private final JsonNode shapes;

    private BotocoreShapes(JsonNode model) {
        this.shapes = model.get("shapes");
        if (shapes == null || !shapes.isObject()) throw new IllegalArgumentException("no 'shapes' in the model");
    }

    /** Reads a model (or an extract with a {@code shapes} object) from the test class path. */
    public static BotocoreShapes load(String resource) {
        try (InputStream in = BotocoreShapes.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no resource " + resource);
            return new BotocoreShapes(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problems of {@code value} as shape {@code shape}, each with its JSON path; empty when it is valid. */
    public List<String> validate(JsonNode value, String shape) {
        List<String> problems = new ArrayList<>();
        check(value, shape, "$", problems);
        return problems;
    }

    private void check(JsonNode value, String shapeName, String path, List<String> problems) {
        JsonNode shape = shapes.get(shapeName);
        if (shape == null) {
            problems.add(path + ": the model has no shape " + shapeName);
            return;
        }
        String type = shape.path("type").asText();
        switch (type) {
            case "structure" -> structure(value, shapeName, shape, path, problems);
            case "list" -> list(value, shapeName, shape, path, problems);
            case "map" -> map(value, shapeName, shape, path, problems);
            case "string" -> string(value, shapeName, shape, path, problems);
            case "integer", "long" -> integer(value, shapeName, shape, path, problems);
            case "boolean" -> {
                if (!value.isBoolean()) problems.add(path + ": " + shapeName + " must be a boolean, not " + value);
            }
            case "double", "float" -> {
                if (!value.isNumber()) problems.add(path + ": " + shapeName + " must be a number, not " + value);
                else range(value.asDouble(), shapeName, shape, path, problems);
            }
            default -> problems.add(path + ": shape " + shapeName + " has type '" + type + "', which this check does not know");
        }
    }

    private void structure(JsonNode value, String name, JsonNode shape, String path, List<String> problems) {
        if (!value.isObject()) {
            problems.add(path + ": " + name + " must be an object, not " + value);
            return;
        }
        JsonNode members = shape.path("members");
        for (JsonNode required : shape.path("required")) {
            if (!value.has(required.asText())) problems.add(path + ": " + name + " requires " + required.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode member = members.get(field.getKey());
            if (member == null) {
                problems.add(path + ": " + name + " has no member " + field.getKey());
            } else {
                check(field.getValue(), member.get("shape").asText(), path + "." + field.getKey(), problems);
            }
        }
    }

    private void list(JsonNode value, String name, JsonNode shape, String path, List<String> problems) {
        if (!value.isArray()) {
            problems.add(path + ": " + name + " must be an array, not " + value);
            return;
        }
        range(value.size(), name + " (number of items)", shape, path, problems);
        String member = shape.path("member").path("shape").asText();
        for (int i = 0; i < value.size(); i++) check(value.get(i), member, path + "[" + i + "]", problems);
    }

    private void map(JsonNode value, String name, JsonNode shape, String path, List<String> problems) {
        if (!value.isObject()) {
            problems.add(path + ": " + name + " must be an object, not " + value);
            return;
        }
        range(value.size(), name + " (number of entries)", shape, path, problems);
        String key = shape.path("key").path("shape").asText();
        String item = shape.path("value").path("shape").asText();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            check(com.fasterxml.jackson.databind.node.TextNode.valueOf(entry.getKey()), key, path + " key", problems);
            check(entry.getValue(), item, path + "." + entry.getKey(), problems);
        }
    }

    private void string(JsonNode value, String name, JsonNode shape, String path, List<String> problems) {
        if (!value.isTextual()) {
            problems.add(path + ": " + name + " must be a string, not " + value);
            return;
        }
        String text = value.asText();
        if (shape.has("enum")) {
            boolean listed = false;
            for (JsonNode option : shape.get("enum")) listed |= option.asText().equals(text);
            if (!listed) problems.add(path + ": " + name + " must be one of " + shape.get("enum") + ", not \"" + text + "\"");
        }
        if (shape.has("pattern") && !Pattern.compile(shape.get("pattern").asText()).matcher(text).find()) {
            problems.add(path + ": " + name + " must match " + shape.get("pattern").asText() + ": \"" + text + "\"");
        }
        range(text.codePointCount(0, text.length()), name + " (length)", shape, path, problems);
    }

    private void integer(JsonNode value, String name, JsonNode shape, String path, List<String> problems) {
        if (!value.isIntegralNumber()) {
            problems.add(path + ": " + name + " must be a whole number, not " + value);
            return;
        }
        range(value.asLong(), name, shape, path, problems);
    }

    private static void range(double value, String what, JsonNode shape, String path, List<String> problems) {
        if (shape.has("min") && value < shape.get("min").asDouble()) {
            problems.add(path + ": " + what + " is below its minimum " + shape.get("min") + ": " + value);
        }
        if (shape.has("max") && value > shape.get("max").asDouble()) {
            problems.add(path + ": " + what + " is above its maximum " + shape.get("max") + ": " + value);
        }
    }
}
