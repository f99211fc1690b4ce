"""Browser logins at upstream identity providers ("Continue with ..."): one module per strategy on base.py.

STRATEGIES is the only registry: a connection whose strategy is here can be chosen at /authorize
(connection=NAME) and shows a button on the hosted login page.
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.connections.federated.apple import Apple
from ostiary.connections.federated.base import Strategy
from ostiary.connections.federated.facebook import Facebook
from ostiary.connections.federated.github import GitHub
from ostiary.connections.federated.google import Google
from ostiary.connections.federated.linkedin import LinkedIn
from ostiary.connections.federated.oidc import Oidc
from ostiary.connections.federated.okta import Okta
from ostiary.connections.federated.twitter import Twitter
from ostiary.connections.federated.waad import Waad
from ostiary.connections.federated.windowslive import WindowsLive

STRATEGIES: Mapping[str, Strategy] = {
    s.strategy: s
    for s in (Google(), Apple(), Facebook(), GitHub(), WindowsLive(), LinkedIn(), Twitter(), Oidc(), Okta(), Waad())
}
