// The portpolicy language (spec: language.md, v1).
//
// The grammar fixes the shape of statements; values whose validity is a matter of
// range or format (octets, prefix lengths, ports, dates, os names, ICMP types) are
// checked later by the checker, which can say precisely what is wrong with them.
grammar Policy;

policy      : statement* EOF ;

statement
    : ( hostDef | networkDef | groupDef | serviceDef
      | defaultSetting | statelessSetting | ephemeralSetting
      | includeStmt | importStmt | accessRule
      ) SEMI?
    ;

// ---- objects --------------------------------------------------------------

hostDef     : HOST name EQ address (COMMA address)* (OS osName=name)? ;
networkDef  : NETWORK name EQ member (COMMA member)* ;
groupDef    : GROUP name EQ member (COMMA member)* ;
serviceDef  : SERVICE name EQ serviceItem (COMMA serviceItem)* ;

// ---- settings -------------------------------------------------------------

defaultSetting   : DEFAULT direction=(INBOUND | OUTBOUND) action ;
statelessSetting : STATELESS ;
ephemeralSetting : EPHEMERAL portRange ;
includeStmt      : INCLUDE STRING ;
importStmt       : IMPORT STRING ;

// ---- rules ----------------------------------------------------------------

accessRule
    : action serviceItem (COMMA serviceItem)*
      (FROM source=endpoint)?
      (TO destination=endpoint)?
      option*
    ;

action      : ALLOW | DENY | REJECT ;

endpoint    : addressSet (EXCEPT excluded=addressSet)? (PORT portSet)? ;
addressSet  : addressItem (COMMA addressItem)* ;
addressItem : ANY | ANY4 | ANY6 | SELF | member ;

// A group or network member: a name, an address, a CIDR or a range.
member
    : name                      # namedMember
    | address SLASH NUMBER      # cidrMember
    | address DASH address      # rangeMember
    | address                   # addressMember
    ;

address     : IPV4 | IPV6 ;

serviceItem
    : ANY                               # anyService
    | protocol (SLASH protocolArg)?     # protocolService
    | name SLASH protocolArg            # unknownProtocolService
    | name                              # namedService
    ;

protocol    : TCP | UDP | ICMP | ICMPV6 ;

// For tcp/udp these are ports; for icmp/icmpv6 they are types with an optional code.
protocolArg : portSet | icmpItem | LBRACE icmpItem (COMMA icmpItem)* RBRACE ;
icmpItem    : icmpType=(NAME | NUMBER) (COLON code=NUMBER)? ;

portSet     : portItem | LBRACE portItem (COMMA portItem)* RBRACE ;
portItem    : EPHEMERAL | portRange ;
portRange   : low=NUMBER (DASH high=NUMBER)? ;

option
    : LOG STRING?                                    # logOption
    | COMMENT STRING                                 # commentOption
    | OWNER STRING                                   # ownerOption
    | TICKET STRING                                  # ticketOption
    | EXPIRES DATE                                   # expiresOption
    | WAIVE ruleId=name reason=STRING? (UNTIL DATE)? # waiveOption
    ;

name        : NAME ;

// ---- lexer ----------------------------------------------------------------

HOST      : 'host' ;
NETWORK   : 'network' ;
GROUP     : 'group' ;
SERVICE   : 'service' ;
DEFAULT   : 'default' ;
INBOUND   : 'inbound' ;
OUTBOUND  : 'outbound' ;
STATELESS : 'stateless' ;
EPHEMERAL : 'ephemeral' ;
INCLUDE   : 'include' ;
IMPORT    : 'import' ;
ALLOW     : 'allow' ;
DENY      : 'deny' ;
REJECT    : 'reject' ;
FROM      : 'from' ;
TO        : 'to' ;
PORT      : 'port' ;
EXCEPT    : 'except' ;
ANY       : 'any' ;
ANY4      : 'any4' ;
ANY6      : 'any6' ;
SELF      : 'self' ;
OS        : 'os' ;
LOG       : 'log' ;
COMMENT   : 'comment' ;
OWNER     : 'owner' ;
TICKET    : 'ticket' ;
EXPIRES   : 'expires' ;
WAIVE     : 'waive' ;
UNTIL     : 'until' ;
TCP       : 'tcp' ;
UDP       : 'udp' ;
ICMP      : 'icmp' ;
ICMPV6    : 'icmpv6' ;

// Every IPv6 address has at least two colons; requiring them keeps `3:4`
// (ICMP type:code) and `echo-reply:0` out of this token. A zone (`2001:db8::1%br-lan`) is
// taken in whole, so that the checker can refuse it by name; so are letters past the hex digits
// (`2001:db8::zz`), so that it is refused as the IPv6 address written, not as a stray name.
IPV6      : HEXDOT* ':' HEXDOT* ':' (HEXDOT | ':' | [g-zG-Z_])* ('%' [A-Za-z0-9_.\-]+)? ;
DATE      : DIGIT+ '-' DIGIT+ '-' DIGIT+ ;
IPV4      : DIGIT+ ('.' DIGIT+)+ ;
NUMBER    : DIGIT+ ;
NAME      : [A-Za-z_] [A-Za-z0-9_.\-]* ;
// Strings are on one line: a backslash escapes no line end, so a string left open by one
// ('"C:\' at the end of a line) cannot take the next line's statement into it.
STRING    : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;

COMMA     : ',' ;
SEMI      : ';' ;
EQ        : '=' ;
SLASH     : '/' ;
DASH      : '-' ;
COLON     : ':' ;
LBRACE    : '{' ;
RBRACE    : '}' ;

// Control characters other than tab and line ends, line and paragraph separators, and
// bidirectional overrides never get here: the reader refuses a file that holds one (they
// could hide text from a reviewer).
LINE_COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS           : [ \t\r\n\u00A0\uFEFF]+ -> channel(HIDDEN) ;

// Anything else becomes one token the parser rejects with a located message,
// instead of the lexer printing its own error.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '\\'? ;
UNKNOWN      : . ;

fragment DIGIT  : [0-9] ;
fragment HEXDOT : [0-9a-fA-F.] ;
