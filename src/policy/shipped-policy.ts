// Generated from rules.yaml by scripts/compile-policy.mjs (`npm run build`): edit rules.yaml, not this file.
// test/policy/shipped-policy.test.ts checks that this is what parsing rules.yaml gives.
import type { CompiledPolicy } from "./compile-shipped.js";

export const SHIPPED_POLICY: CompiledPolicy = {
  value: {
    "version": 1,
    "defaultProfile": "default",
    "rules": {
      "storage-encrypted": {
        "enabled": true,
        "severity": "high",
        "parameters": {
          "requireCustomerManagedKey": false,
          "requireKeyRotation": true
        }
      },
      "iam-auth": {
        "enabled": true,
        "severity": "medium"
      },
      "backup-retention": {
        "enabled": true,
        "severity": "medium",
        "parameters": {
          "minimumDays": 7
        }
      },
      "deletion-protection": {
        "enabled": true,
        "severity": "medium"
      },
      "multi-az": {
        "enabled": true,
        "severity": "medium"
      },
      "instance-class": {
        "enabled": true,
        "severity": "medium",
        "parameters": {
          "allowBurstable": true,
          "minServerlessV2MaxCapacity": 2
        }
      },
      "ca-certificate": {
        "enabled": true,
        "severity": "high",
        "parameters": {
          "expiryWindowDays": 90
        }
      },
      "engine-version": {
        "enabled": true,
        "severity": "high",
        "parameters": {
          "warnDays": 180,
          "warningSeverity": "low",
          "maxTableAgeDays": 180
        }
      },
      "encryption-in-transit": {
        "enabled": true,
        "severity": "high"
      },
      "public-access": {
        "enabled": true,
        "severity": "high"
      }
    },
    "profiles": [
      {
        "name": "production",
        "description": "Stricter settings for production databases.",
        "match": {
          "tags": {
            "environment": [
              "prod",
              "production",
              "prd",
              "live"
            ],
            "env": [
              "prod",
              "production",
              "prd",
              "live"
            ],
            "stage": [
              "prod",
              "production",
              "prd",
              "live"
            ]
          },
          "stackNames": [
            "*-prod",
            "*-prod-*",
            "*-production",
            "*-production-*",
            "prod-*",
            "production-*"
          ],
          "paths": [
            "**/prod/**",
            "**/production/**",
            "**/*-prod.*",
            "**/*.prod.*"
          ]
        },
        "rules": {
          "storage-encrypted": {
            "severity": "critical"
          },
          "backup-retention": {
            "severity": "high",
            "parameters": {
              "minimumDays": 14
            }
          },
          "deletion-protection": {
            "severity": "high"
          },
          "multi-az": {
            "severity": "high"
          },
          "instance-class": {
            "severity": "high",
            "parameters": {
              "allowBurstable": false
            }
          },
          "engine-version": {
            "severity": "critical",
            "parameters": {
              "warnDays": 270,
              "warningSeverity": "medium"
            }
          },
          "encryption-in-transit": {
            "severity": "critical"
          },
          "public-access": {
            "severity": "critical"
          }
        }
      },
      {
        "name": "development",
        "description": "Relaxed settings for development, test and sandbox databases.",
        "match": {
          "tags": {
            "environment": [
              "dev",
              "development",
              "test",
              "testing",
              "sandbox",
              "qa"
            ],
            "env": [
              "dev",
              "development",
              "test",
              "testing",
              "sandbox",
              "qa"
            ],
            "stage": [
              "dev",
              "development",
              "test",
              "testing",
              "sandbox",
              "qa"
            ]
          },
          "stackNames": [
            "*-dev",
            "*-dev-*",
            "*-development",
            "*-test",
            "*-sandbox",
            "dev-*",
            "sandbox-*"
          ],
          "paths": [
            "**/dev/**",
            "**/development/**",
            "**/sandbox/**",
            "**/*-dev.*",
            "**/*.dev.*"
          ]
        },
        "rules": {
          "iam-auth": {
            "severity": "low"
          },
          "backup-retention": {
            "severity": "low",
            "parameters": {
              "minimumDays": 1
            }
          },
          "deletion-protection": {
            "severity": "low"
          },
          "multi-az": {
            "severity": "info"
          },
          "instance-class": {
            "severity": "low",
            "parameters": {
              "allowBurstable": true
            }
          },
          "engine-version": {
            "severity": "medium",
            "parameters": {
              "warnDays": 90,
              "warningSeverity": "info"
            }
          },
          "encryption-in-transit": {
            "severity": "low"
          },
          "public-access": {
            "severity": "medium"
          }
        }
      }
    ],
    "waivers": [],
    "stackTemplates": {}
  },
  positions: {"p":[8,1],"m":{"version":{"k":[8,1],"p":[8,10]},"defaultProfile":{"k":[12,1],"p":[12,17]},"rules":{"k":[19,1],"p":[20,3],"m":{"storage-encrypted":{"k":[20,3],"p":[21,5],"m":{"enabled":{"k":[21,5],"p":[21,14]},"severity":{"k":[22,5],"p":[22,15]},"parameters":{"k":[23,5],"p":[25,7],"m":{"requireCustomerManagedKey":{"k":[25,7],"p":[25,34]},"requireKeyRotation":{"k":[27,7],"p":[27,27]}}}}},"iam-auth":{"k":[29,3],"p":[30,5],"m":{"enabled":{"k":[30,5],"p":[30,14]},"severity":{"k":[31,5],"p":[31,15]}}},"backup-retention":{"k":[33,3],"p":[34,5],"m":{"enabled":{"k":[34,5],"p":[34,14]},"severity":{"k":[35,5],"p":[35,15]},"parameters":{"k":[36,5],"p":[38,7],"m":{"minimumDays":{"k":[38,7],"p":[38,20]}}}}},"deletion-protection":{"k":[40,3],"p":[41,5],"m":{"enabled":{"k":[41,5],"p":[41,14]},"severity":{"k":[42,5],"p":[42,15]}}},"multi-az":{"k":[44,3],"p":[45,5],"m":{"enabled":{"k":[45,5],"p":[45,14]},"severity":{"k":[46,5],"p":[46,15]}}},"instance-class":{"k":[48,3],"p":[49,5],"m":{"enabled":{"k":[49,5],"p":[49,14]},"severity":{"k":[50,5],"p":[50,15]},"parameters":{"k":[51,5],"p":[53,7],"m":{"allowBurstable":{"k":[53,7],"p":[53,23]},"minServerlessV2MaxCapacity":{"k":[55,7],"p":[55,35]}}}}},"ca-certificate":{"k":[57,3],"p":[58,5],"m":{"enabled":{"k":[58,5],"p":[58,14]},"severity":{"k":[59,5],"p":[59,15]},"parameters":{"k":[60,5],"p":[62,7],"m":{"expiryWindowDays":{"k":[62,7],"p":[62,25]}}}}},"engine-version":{"k":[64,3],"p":[65,5],"m":{"enabled":{"k":[65,5],"p":[65,14]},"severity":{"k":[66,5],"p":[66,15]},"parameters":{"k":[67,5],"p":[69,7],"m":{"warnDays":{"k":[69,7],"p":[69,17]},"warningSeverity":{"k":[71,7],"p":[71,24]},"maxTableAgeDays":{"k":[74,7],"p":[74,24]}}}}},"encryption-in-transit":{"k":[76,3],"p":[77,5],"m":{"enabled":{"k":[77,5],"p":[77,14]},"severity":{"k":[78,5],"p":[78,15]}}},"public-access":{"k":[80,3],"p":[81,5],"m":{"enabled":{"k":[81,5],"p":[81,14]},"severity":{"k":[82,5],"p":[82,15]}}}}},"profiles":{"k":[92,1],"p":[93,3],"s":[{"p":[93,5],"m":{"name":{"k":[93,5],"p":[93,11]},"description":{"k":[94,5],"p":[94,18]},"match":{"k":[95,5],"p":[96,7],"m":{"tags":{"k":[96,7],"p":[97,9],"m":{"environment":{"k":[97,9],"p":[97,22],"s":[{"p":[97,23]},{"p":[97,29]},{"p":[97,41]},{"p":[97,46]}]},"env":{"k":[98,9],"p":[98,14],"s":[{"p":[98,15]},{"p":[98,21]},{"p":[98,33]},{"p":[98,38]}]},"stage":{"k":[99,9],"p":[99,16],"s":[{"p":[99,17]},{"p":[99,23]},{"p":[99,35]},{"p":[99,40]}]}}},"stackNames":{"k":[100,7],"p":[100,19],"s":[{"p":[100,20]},{"p":[100,30]},{"p":[100,42]},{"p":[100,58]},{"p":[100,76]},{"p":[100,86]}]},"paths":{"k":[101,7],"p":[101,14],"s":[{"p":[101,15]},{"p":[101,29]},{"p":[101,49]},{"p":[101,64]}]}}},"rules":{"k":[102,5],"p":[103,7],"m":{"storage-encrypted":{"k":[103,7],"p":[104,9],"m":{"severity":{"k":[104,9],"p":[104,19]}}},"backup-retention":{"k":[105,7],"p":[106,9],"m":{"severity":{"k":[106,9],"p":[106,19]},"parameters":{"k":[107,9],"p":[108,11],"m":{"minimumDays":{"k":[108,11],"p":[108,24]}}}}},"deletion-protection":{"k":[109,7],"p":[110,9],"m":{"severity":{"k":[110,9],"p":[110,19]}}},"multi-az":{"k":[111,7],"p":[112,9],"m":{"severity":{"k":[112,9],"p":[112,19]}}},"instance-class":{"k":[113,7],"p":[114,9],"m":{"severity":{"k":[114,9],"p":[114,19]},"parameters":{"k":[115,9],"p":[116,11],"m":{"allowBurstable":{"k":[116,11],"p":[116,27]}}}}},"engine-version":{"k":[117,7],"p":[118,9],"m":{"severity":{"k":[118,9],"p":[118,19]},"parameters":{"k":[119,9],"p":[121,11],"m":{"warnDays":{"k":[121,11],"p":[121,21]},"warningSeverity":{"k":[122,11],"p":[122,28]}}}}},"encryption-in-transit":{"k":[123,7],"p":[124,9],"m":{"severity":{"k":[124,9],"p":[124,19]}}},"public-access":{"k":[125,7],"p":[126,9],"m":{"severity":{"k":[126,9],"p":[126,19]}}}}}}},{"p":[128,5],"m":{"name":{"k":[128,5],"p":[128,11]},"description":{"k":[129,5],"p":[129,18]},"match":{"k":[130,5],"p":[131,7],"m":{"tags":{"k":[131,7],"p":[132,9],"m":{"environment":{"k":[132,9],"p":[132,22],"s":[{"p":[132,23]},{"p":[132,28]},{"p":[132,41]},{"p":[132,47]},{"p":[132,56]},{"p":[132,65]}]},"env":{"k":[133,9],"p":[133,14],"s":[{"p":[133,15]},{"p":[133,20]},{"p":[133,33]},{"p":[133,39]},{"p":[133,48]},{"p":[133,57]}]},"stage":{"k":[134,9],"p":[134,16],"s":[{"p":[134,17]},{"p":[134,22]},{"p":[134,35]},{"p":[134,41]},{"p":[134,50]},{"p":[134,59]}]}}},"stackNames":{"k":[135,7],"p":[135,19],"s":[{"p":[135,20]},{"p":[135,29]},{"p":[135,40]},{"p":[135,57]},{"p":[135,67]},{"p":[135,80]},{"p":[135,89]}]},"paths":{"k":[136,7],"p":[136,14],"s":[{"p":[136,15]},{"p":[136,28]},{"p":[136,49]},{"p":[136,66]},{"p":[136,80]}]}}},"rules":{"k":[137,5],"p":[138,7],"m":{"iam-auth":{"k":[138,7],"p":[139,9],"m":{"severity":{"k":[139,9],"p":[139,19]}}},"backup-retention":{"k":[140,7],"p":[141,9],"m":{"severity":{"k":[141,9],"p":[141,19]},"parameters":{"k":[142,9],"p":[143,11],"m":{"minimumDays":{"k":[143,11],"p":[143,24]}}}}},"deletion-protection":{"k":[144,7],"p":[145,9],"m":{"severity":{"k":[145,9],"p":[145,19]}}},"multi-az":{"k":[146,7],"p":[147,9],"m":{"severity":{"k":[147,9],"p":[147,19]}}},"instance-class":{"k":[148,7],"p":[149,9],"m":{"severity":{"k":[149,9],"p":[149,19]},"parameters":{"k":[150,9],"p":[151,11],"m":{"allowBurstable":{"k":[151,11],"p":[151,27]}}}}},"engine-version":{"k":[152,7],"p":[153,9],"m":{"severity":{"k":[153,9],"p":[153,19]},"parameters":{"k":[154,9],"p":[155,11],"m":{"warnDays":{"k":[155,11],"p":[155,21]},"warningSeverity":{"k":[156,11],"p":[156,28]}}}}},"encryption-in-transit":{"k":[157,7],"p":[158,9],"m":{"severity":{"k":[158,9],"p":[158,19]}}},"public-access":{"k":[159,7],"p":[160,9],"m":{"severity":{"k":[160,9],"p":[160,19]}}}}}}}]},"waivers":{"k":[165,1],"p":[165,10],"s":[]},"stackTemplates":{"k":[168,1],"p":[168,17],"m":{}}}},
};
