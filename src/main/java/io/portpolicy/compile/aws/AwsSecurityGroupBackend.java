package io.portpolicy.compile.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.StatefulPlatform;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupNames;
import io.portpolicy.compile.cloud.GroupRules;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.compile.cloud.ProtocolPart;
import io.portpolicy.compile.cloud.SharedAddresses;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * AWS EC2 security groups ({@code --target aws}): one security group per policy group, as the
 * EC2 API's JSON ({@code json}, the default), a CloudFormation template or Terraform JSON.
 *
 * <p>A security group is stateful and allow-only: it admits a packet when any entry matches
 * (the union of its entries, in no order) and drops the rest. So each direction is compiled
 * from the exact set the policy admits at the group ({@link GroupRules#admitted()}): the
 * packets allow rules decide (after every earlier deny and reject) and, where the default
 * allows, what no rule matches. An entry is one CIDR with one protocol and one port range (or
 * ICMP type and code); ranges of addresses are split into CIDRs. Each entry's description
 * names the rules ({@code FILE:LINE}) that admit part of it. ICMP goes with IPv4 CIDRs and
 * ICMPv6 with IPv6 ones only: the other family's ICMP number, which no stack sends, is admitted
 * only where every protocol is ({@link PermissionCover}).
 *
 * <p>Refused, naming the rule: a policy that treats members of the group differently (a
 * security group has no field for its members' own addresses), source ports, a stateless
 * policy (security groups always admit replies). A group needing more entries per direction and family than
 * {@code max-rules} (AWS's default quota: 60) is over its limit (PP503). Refused at the group: a name
 * starting with {@code sg-}, and a name another group shares ({@link #NAMES}, {@link #TERRAFORM_NAMES}).
 */
public final class AwsSecurityGroupBackend implements Backend {

    /** How refusals name the platform: "... but an AWS security group applies the same rules to every member". */
    static final String PLATFORM = "an AWS security group";
    /** Likewise: "AWS security group rules cannot match source ports". */
    static final String RULES = "AWS security group";
    static final String MAX_RULES = "max-rules";
    /** The most rules per direction and family the setting accepts (AWS's quota is 60 by default). */
    static final int MOST_RULES = 1000;
    /** What EC2 accepts in rule and group descriptions (besides letters and digits), at most 255 characters. */
    static final String DESCRIPTION_CHARS = " ._-:/()#,@[]+=&;{}!$*";
    static final int DESCRIPTION_LENGTH = 255;
    /** CloudFormation's documented way to create a group without its default allow-all egress: one egress entry that loopback traffic alone could match. */
    static final String NO_EGRESS_CIDR = "127.0.0.1/32";
    /** AWS: security group names "are case-insensitive and must be unique within the VPC" (CreateSecurityGroup). */
    static final GroupNames NAMES = new GroupNames("AWS security group name", AwsSecurityGroupBackend::groupName,
            GroupNames.IGNORING_CASE, "AWS ignores case in security group names and takes one name once per VPC", null);
    /** Terraform's names of the group's resource, variable and output, the same in every file of a configuration. */
    static final GroupNames TERRAFORM_NAMES = new GroupNames("Terraform name", AwsSecurityGroupBackend::terraformName,
            GroupNames.EXACT, "their resources, variables and outputs would clash in one Terraform configuration",
            "Terraform names keep letters, digits, '_' and '-', with '_' for every other character");

    /**
     * Made when first used, not when the backend is registered: loading Jackson costs every
     * other command (a compile for nftables, a lint) a noticeable part of its start-up.
     */
    private static final class Mappers {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES).build());
    }

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public List<String> formats() {
        return List.of("json", "cloudformation", "terraform");
    }

    @Override
    public boolean forGroups() {
        return true;
    }

    @Override
    public List<TargetOption> options() {
        return List.of(TargetOption.number(MAX_RULES, 60, 1, MOST_RULES));
    }

    /**
     * One security-group entry.
     *
     * @param protocol {@code tcp}, {@code udp}, {@code icmp}, {@code icmpv6}, {@code -1} or a protocol number
     * @param fromPort the first port, or the ICMP type (-1 all); {@code null} where AWS takes no ports
     * @param toPort   the last port, or the ICMP code (-1 all); {@code null} likewise
     */
    record Permission(Family family, String protocol, Integer fromPort, Integer toPort, String cidr, String description) {
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        Map<Direction, List<Permission>> permissions = permissions(request, true);
        return switch (request.format()) {
            case "cloudformation" -> Artifact.single(".yaml", cloudFormation(request, permissions));
            case "terraform" -> Artifact.single(".tf.json", terraform(request, permissions));
            default -> Artifact.single(".json", ec2Json(request, permissions));
        };
    }

    /** The same permissions without their descriptions: which rules admit an entry does not change how many there are. */
    @Override
    public void check(CompileRequest request) throws CompileException {
        permissions(request, false);
    }

    /** Groups sharing addresses where they may decide differently: an interface in both gets the union of their allows. */
    @Override
    public List<Diagnostic> warnings(CompileRequest request) {
        return SharedAddresses.warnings(request, "gets both security groups, which admit what either admits"
                + " (docs/targets/aws.md)");
    }

    // ---- the entries ----------------------------------------------------------------------

    /**
     * Each direction's permissions, or the reason the group cannot be a security group; each
     * described by the rules (or the default) admitting part of it when {@code described}, else
     * with an empty description.
     */
    private static Map<Direction, List<Permission>> permissions(CompileRequest request, boolean described)
            throws CompileException {
        EffectivePolicy effective = request.effective();
        Target group = request.target();
        StatefulPlatform.require(effective, PLATFORM, "compile it for aws without the 'stateless' setting, or for a"
                + " stateless platform (network ACLs)");
        if (group.name().regionMatches(true, 0, "sg-", 0, 3)) {
            throw GroupNames.refusal(effective.policy(), group.name(), "AWS does not accept security group names"
                    + " starting with 'sg-'", "rename the group");
        }
        NAMES.of(effective, group.name());
        if (request.format().equals("terraform")) TERRAFORM_NAMES.of(effective, group.name());
        int limit = request.options().number(MAX_RULES);
        Map<Direction, List<Permission>> permissions = new EnumMap<>(Direction.class);
        for (Direction direction : Direction.values()) {
            permissions.put(direction, permissions(effective, group, direction, limit, described));
        }
        return permissions;
    }

    private record RuleSource(Rule rule) implements PermissionCover.Source {
        @Override
        public String describe() {
            // Within the limit on its own, so the first rule of an entry keeps its FILE:LINE.
            return HostRules.describe(rule, rule.options().log() ? " (log: none on security groups)" : "",
                    DESCRIPTION_LENGTH, Text.Measure.CHARACTERS);
        }
    }

    private record DefaultSource(Direction direction) implements PermissionCover.Source {
        @Override
        public String describe() {
            return "default " + direction.keyword() + " allow";
        }
    }

    private static List<Permission> permissions(EffectivePolicy effective, Target group, Direction direction, int limit,
                                                boolean described) throws CompileException {
        GroupRules rules = GroupRules.of(effective, group, direction);
        PacketSet admitted = rules.admitted();
        rules.requireAlike(admitted, RULES);
        rules.requireNoSourcePorts(admitted, RULES);
        boolean inbound = direction == Direction.INBOUND;
        // The description cuts a set by protocol first, so peers admitted for every protocol and
        // port beside others admitted for some would come as one entry per protocol; their
        // every-service part, described on its own, gives them one all-protocols entry.
        List<PacketCube> blocks = new ArrayList<>(admitted.everyService().describe());
        blocks.addAll(admitted.describe());
        PermissionCover cover = new PermissionCover(blocks, inbound);
        if (described) {
            for (GroupRules.Decisive decisive : rules.decisive()) {
                if (decisive.rule().action() == Action.ALLOW) {
                    cover.attribute(new RuleSource(decisive.rule()), decisive.decided().anyOwn().describe());
                }
            }
            if (rules.defaultAction() == Action.ALLOW) {
                cover.attribute(new DefaultSource(direction), rules.defaultRegion().anyOwn().describe());
            }
        }
        List<Permission> out = new ArrayList<>();
        Map<Family, Integer> counts = new EnumMap<>(Family.class);
        List<PermissionCover.Entry> entries;
        try {
            entries = cover.entries(MOST_RULES);
        } catch (PermissionCover.TooMany e) {
            // Each entry is at least one rule: past the most any account allows, no count can help.
            throw LimitExceeded.moreThan("aws", group, direction.keyword() + " " + e.family().label() + " rules",
                    limit, MAX_RULES, MOST_RULES);
        }
        for (PermissionCover.Entry entry : entries) {
            String cidr = entry.block().toPrefixBlock().toCanonicalString();
            String description = description(entry.sources().stream().map(PermissionCover.Source::describe)
                    .collect(Collectors.joining("; ")));
            for (int[] ports : ports(entry)) {
                out.add(new Permission(entry.family(), protocolName(entry.protocol()), ports == null ? null : ports[0],
                        ports == null ? null : ports[1], cidr, description));
                counts.merge(entry.family(), 1, Integer::sum);
            }
        }
        for (Map.Entry<Family, Integer> count : counts.entrySet()) {
            if (count.getValue() > limit) {
                throw new LimitExceeded("aws", group, direction.keyword() + " " + count.getKey().label() + " rules",
                        count.getValue(), limit, MAX_RULES, MOST_RULES);
            }
        }
        return out;
    }

    /** Text safe for an EC2 description: AWS's characters only (others become '_'), at most 255. */
    static String description(String text) {
        return Text.cutChars(Text.ascii(Text.oneLine(text), DESCRIPTION_CHARS), DESCRIPTION_LENGTH);
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case ProtocolPart.ALL -> "-1";
            case ProtocolPart.TCP -> "tcp";
            case ProtocolPart.UDP -> "udp";
            case ProtocolPart.ICMP -> "icmp";
            case ProtocolPart.ICMPV6 -> "icmpv6";
            default -> Integer.toString(protocol);
        };
    }

    /**
     * An entry's values as AWS from/to pairs: a port range for TCP and UDP; for ICMP, -1/-1 for
     * everything, {@code type}/-1 for a whole type, else one {@code type}/{@code code} pair per
     * code (AWS has no ranges of types or codes); a single {@code null} for protocols without ports.
     */
    private static List<int[]> ports(PermissionCover.Entry entry) {
        List<int[]> out = new ArrayList<>();
        if (entry.protocol() == ProtocolPart.TCP || entry.protocol() == ProtocolPart.UDP) {
            out.add(new int[] {entry.low(), entry.high()});
        } else if (PermissionCover.isIcmp(entry.protocol())) {
            int low = entry.low();
            int high = entry.high();
            if (low == 0 && high == 65535) {
                out.add(new int[] {-1, -1});
                return out;
            }
            for (int type = low / 256; type <= high / 256; type++) {
                int first = Math.max(low, type * 256) % 256;
                int last = Math.min(high, type * 256 + 255) % 256;
                if (first == 0 && last == 255) {
                    out.add(new int[] {type, -1});
                } else {
                    for (int code = first; code <= last; code++) out.add(new int[] {type, code});
                }
            }
        } else {
            out.add(null);
        }
        return out;
    }

    // ---- text around the entries -------------------------------------------------------

    private static boolean hasReject(EffectivePolicy effective) {
        var settings = effective.policy().settings();
        return settings.defaultFor(Direction.INBOUND) == Action.REJECT || settings.defaultFor(Direction.OUTBOUND) == Action.REJECT
                || effective.compiledRules().stream().anyMatch(r -> r.action() == Action.REJECT);
    }

    private static boolean hasLog(EffectivePolicy effective) {
        return effective.compiledRules().stream().anyMatch(r -> r.options().log());
    }

    /** The notes every format carries: the mode, and what the platform does differently from the policy's words. */
    private static List<String> notes(EffectivePolicy effective) {
        List<String> notes = new ArrayList<>();
        notes.add("mode: stateful. A security group admits replies to the connections it admits and drops what no entry admits;"
                + " its entries are the policy's admitted packets at the group, in no order.");
        if (hasReject(effective)) {
            notes.add("note: reject is compiled as drop: a security group cannot answer with a TCP reset or an ICMP error.");
        }
        if (hasLog(effective)) {
            notes.add("note: security groups have no per-rule logging: rules with 'log' are compiled without it"
                    + " (VPC Flow Logs record traffic per interface).");
        }
        return notes;
    }

    /**
     * The group's own description: what made it, within AWS's characters and length. The hash
     * comes before the group's name and the policy's path, which may be long: what the length
     * cuts off is the end of the path, never the hash.
     */
    private static String groupDescription(CompileRequest request) {
        EffectivePolicy effective = request.effective();
        StringBuilder out = new StringBuilder("portpolicy ").append(request.toolVersion()).append(" sha256 ")
                .append(Header.contentHash(request)).append(": group ").append(request.target().name())
                .append(", stateful");
        if (hasReject(effective)) out.append(", reject compiled as drop");
        if (hasLog(effective)) out.append(", no per-rule logging");
        out.append("; ").append(effective.policy().root().displayPath());
        return description(out.toString());
    }

    private static String groupName(String group) {
        return description(group);
    }

    // ---- EC2 API JSON -------------------------------------------------------------------

    private static String ec2Json(CompileRequest request, Map<Direction, List<Permission>> permissions) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("GroupName", groupName(request.target().name()));
        root.put("Description", groupDescription(request));
        root.set("IpPermissions", ipPermissions(permissions.get(Direction.INBOUND)));
        root.set("IpPermissionsEgress", ipPermissions(permissions.get(Direction.OUTBOUND)));
        return write(Mappers.JSON, root);
    }

    /** Entries with the same protocol and ports share one IpPermission, IPv4 CIDRs in IpRanges, IPv6 in Ipv6Ranges. */
    private static ArrayNode ipPermissions(List<Permission> permissions) {
        Map<List<Object>, ObjectNode> byTraffic = new LinkedHashMap<>();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Permission p : permissions) {
            ObjectNode permission = byTraffic.computeIfAbsent(java.util.Arrays.asList(p.protocol(), p.fromPort(), p.toPort()), k -> {
                ObjectNode node = out.addObject();
                node.put("IpProtocol", p.protocol());
                if (p.fromPort() != null) {
                    node.put("FromPort", p.fromPort());
                    node.put("ToPort", p.toPort());
                }
                return node;
            });
            boolean v4 = p.family() == Family.IPV4;
            String list = v4 ? "IpRanges" : "Ipv6Ranges";
            ArrayNode ranges = permission.has(list) ? (ArrayNode) permission.get(list) : permission.putArray(list);
            ranges.addObject().put(v4 ? "CidrIp" : "CidrIpv6", p.cidr()).put("Description", p.description());
        }
        return out;
    }

    // ---- CloudFormation -----------------------------------------------------------------

    private static String cloudFormation(CompileRequest request, Map<Direction, List<Permission>> permissions) {
        ObjectNode template = JsonNodeFactory.instance.objectNode();
        template.put("AWSTemplateFormatVersion", "2010-09-09");
        template.put("Description", groupDescription(request));
        ObjectNode vpc = template.putObject("Parameters").putObject("VpcId");
        vpc.put("Type", "AWS::EC2::VPC::Id");
        vpc.put("Description", "the VPC the security group is created in");
        ObjectNode group = template.putObject("Resources").putObject("SecurityGroup");
        group.put("Type", "AWS::EC2::SecurityGroup");
        ObjectNode properties = group.putObject("Properties");
        properties.put("GroupName", groupName(request.target().name()));
        properties.put("GroupDescription", groupDescription(request));
        properties.putObject("VpcId").put("Ref", "VpcId");
        List<Permission> inbound = permissions.get(Direction.INBOUND);
        if (!inbound.isEmpty()) properties.set("SecurityGroupIngress", cfnRules(inbound));
        List<Permission> outbound = permissions.get(Direction.OUTBOUND);
        if (outbound.isEmpty()) {
            // Without any egress entry AWS would add its allow-all egress rule.
            outbound = List.of(new Permission(Family.IPV4, "-1", null, null, NO_EGRESS_CIDR,
                    "no outbound traffic: this entry only keeps AWS from adding its allow-all egress rule"));
        }
        properties.set("SecurityGroupEgress", cfnRules(outbound));
        template.putObject("Outputs").putObject("SecurityGroupId").putObject("Value").putArray("Fn::GetAtt")
                .add("SecurityGroup").add("GroupId");
        StringBuilder out = new StringBuilder();
        for (String line : Header.lines(request, "aws cloudformation")) out.append("# ").append(Text.oneLine(line)).append('\n');
        for (String note : notes(request.effective())) out.append("# ").append(note).append('\n');
        out.append("# Egress: CloudFormation adds AWS's allow-all egress rule to a new group only when SecurityGroupEgress"
                + " is empty, so a group that may send nothing gets one egress entry to " + NO_EGRESS_CIDR
                + " (loopback traffic never reaches a security group).\n");
        return out.append(write(Mappers.YAML, template)).toString();
    }

    private static ArrayNode cfnRules(List<Permission> permissions) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Permission p : permissions) {
            ObjectNode rule = out.addObject();
            rule.put("IpProtocol", p.protocol());
            if (p.fromPort() != null) {
                rule.put("FromPort", p.fromPort());
                rule.put("ToPort", p.toPort());
            }
            rule.put(p.family() == Family.IPV4 ? "CidrIp" : "CidrIpv6", p.cidr());
            rule.put("Description", p.description());
        }
        return out;
    }

    // ---- Terraform JSON -----------------------------------------------------------------

    /**
     * Terraform JSON syntax: every string is a template, so {@code ${} and {@code %{} in text
     * are doubled ({@code $${}, {@code %%{}) to stay literal.
     */
    static String terraformLiteral(String text) {
        return text.replace("${", "$${").replace("%{", "%%{");
    }

    /** A Terraform name for the group: letters, digits, '_' and '-', starting with a letter or '_'. */
    static String terraformName(String group) {
        return Text.ascii(group, "_-");
    }

    private static String terraform(CompileRequest request, Map<Direction, List<Permission>> permissions) {
        String name = terraformName(request.target().name());
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        List<String> comment = new ArrayList<>(Header.lines(request, "aws terraform"));
        comment.addAll(notes(request.effective()));
        comment.add("Egress: an aws_security_group created by Terraform has AWS's default allow-all egress rule removed,"
                + " so the egress rules below are all the group admits.");
        root.put("//", terraformLiteral(comment.stream().map(Text::oneLine).collect(Collectors.joining(" | "))));
        String variable = "vpc_id_" + name;
        root.putObject("variable").putObject(variable).put("type", "string")
                .put("description", terraformLiteral("the VPC security group " + groupName(request.target().name()) + " is created in"));
        ObjectNode resources = root.putObject("resource");
        ObjectNode group = resources.putObject("aws_security_group").putObject(name);
        group.put("name", terraformLiteral(groupName(request.target().name())));
        group.put("description", terraformLiteral(groupDescription(request)));
        group.put("vpc_id", "${var." + variable + "}");
        for (Direction direction : Direction.values()) {
            List<Permission> list = permissions.get(direction);
            if (list.isEmpty()) continue;
            boolean inbound = direction == Direction.INBOUND;
            ObjectNode rules = resources.putObject(inbound ? "aws_vpc_security_group_ingress_rule"
                    : "aws_vpc_security_group_egress_rule");
            int n = 0;
            for (Permission p : list) {
                ObjectNode rule = rules.putObject(name + (inbound ? "_in_" : "_out_") + (++n));
                rule.put("security_group_id", "${aws_security_group." + name + ".id}");
                rule.put("ip_protocol", p.protocol());
                if (p.fromPort() != null) {
                    rule.put("from_port", p.fromPort());
                    rule.put("to_port", p.toPort());
                }
                rule.put(p.family() == Family.IPV4 ? "cidr_ipv4" : "cidr_ipv6", p.cidr());
                rule.put("description", terraformLiteral(p.description()));
            }
        }
        root.putObject("output").putObject(name + "_security_group_id").put("value", "${aws_security_group." + name + ".id}");
        return write(Mappers.JSON, root);
    }

    private static String write(ObjectMapper mapper, ObjectNode node) {
        try {
            String text = mapper.writeValueAsString(node);
            return text.endsWith("\n") ? text : text + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
