"""a0deploy's directory format read into the same document as tenant.yaml (src/context/directory/handlers):
one JSON file per object in a folder per section, keyword-replaced. Folders of sections Ostiary does not
serve are named in the document (so left_out.py reports them) without being read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ostiary.admin.a0deploy.keywords import replace
from ostiary.errors import AdminError

# folder -> section whose items are the folder's *.json files
LIST_FOLDERS = {
    "clients": "clients", "resource-servers": "resourceServers", "grants": "clientGrants",
    "connections": "connections", "actions": "actions", "roles": "roles", "rules": "rules", "hooks": "hooks",
    "pages": "pages", "emails": "emailTemplates", "log-streams": "logStreams", "organizations": "organizations",
    "custom-domains": "customDomains", "themes": "themes", "forms": "forms", "flows": "flows",
    "flow-vault-connections": "flowVaultConnections", "self-service-profiles": "selfServiceProfiles",
    "network-acls": "networkACLs", "phone-providers": "phoneProviders", "phone-templates": "phoneTemplates",
    "action-modules": "actionModules", "rules-configs": "rulesConfigs", "branding": "branding",
    "prompts": "prompts", "guardian/factors": "guardianFactors", "risk-assessment": "riskAssessment",
    "user-attribute-profiles": "userAttributeProfiles", "connection-profiles": "connectionProfiles",
    "token-exchange-profiles": "tokenExchangeProfiles", "supplemental-signals": "supplementalSignals",
    "rate-limit-policies": "rateLimitPolicies", "event-streams": "eventStreams",
}
ATTACK_PROTECTION = {
    "breachedPasswordDetection": "breached-password-detection.json",
    "bruteForceProtection": "brute-force-protection.json",
    "suspiciousIpThrottling": "suspicious-ip-throttling.json",
    "botDetection": "bot-detection.json", "captcha": "captcha.json",
}


def _json(path: Path, mappings: dict[str, Any]) -> Any:
    try:
        return json.loads(replace(path.read_text(encoding="utf-8"), mappings))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdminError(f"{path}: cannot read JSON ({exc})") from exc


def read(root: Path, mappings: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if (root / "tenant.json").is_file():
        doc["tenant"] = _json(root / "tenant.json", mappings)
    for folder, section in LIST_FOLDERS.items():
        if (root / folder).is_dir():
            doc[section] = [_json(p, mappings) for p in sorted((root / folder).glob("*.json"))]
    if isinstance(doc.get("emailTemplates"), list):  # emails/provider.json is the provider, not a template
        provider = root / "emails" / "provider.json"
        doc["emailTemplates"] = [t for t in doc["emailTemplates"] if not (isinstance(t, dict) and "template" not in t)]
        if provider.is_file():
            doc["emailProvider"] = _json(provider, mappings)
    databases = root / "database-connections"
    if databases.is_dir():
        doc["databases"] = [_json(d / "database.json", mappings) for d in sorted(databases.iterdir())
                            if (d / "database.json").is_file()]
    if (root / "triggers" / "triggers.json").is_file():
        doc["triggers"] = _json(root / "triggers" / "triggers.json", mappings)
    if (root / "guardian" / "policies.json").is_file():
        doc["guardianPolicies"] = _json(root / "guardian" / "policies.json", mappings)
    protection = {key: _json(root / "attack-protection" / name, mappings)
                  for key, name in ATTACK_PROTECTION.items() if (root / "attack-protection" / name).is_file()}
    if protection:
        doc["attackProtection"] = protection
    if not doc:
        raise AdminError(f"{root}: neither tenant.yaml nor a0deploy's directory format (tenant.json, clients/, ...)")
    return doc
