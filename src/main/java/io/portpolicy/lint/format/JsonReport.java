package io.portpolicy.lint.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.portpolicy.json.Json;
import io.portpolicy.lint.Finding;

import java.util.List;

/** A stable JSON array: one object per finding, always the same keys in the same order. */
public final class JsonReport {

    private JsonReport() {
    }

    public static String render(List<Finding> findings) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (Finding f : findings) {
            array.addObject()
                    .put("file", f.location().path())
                    .put("line", f.location().line())
                    .put("column", f.location().column())
                    .put("rule", f.ruleId())
                    .put("name", f.name())
                    .put("severity", f.severity().label())
                    .put("message", f.message())
                    .put("waived", f.waived());
        }
        return Json.pretty(array);
    }
}
