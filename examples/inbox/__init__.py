"""An agency inbox on bpengine: login, inboxes per person and lane, task forms, cases,
incidents. A Flask app over the public API only; copy it and adapt.

Run from the repository root (``pip install -e ".[examples]"`` first)::

    python -m examples.inbox adduser inbox-users.json ani --groups "Pemohon,Ketua RT"
    python -m examples.inbox serve processes/surat-keterangan-domisili.bpmn \\
        --users inbox-users.json --db sqlite:///inbox.db

See ``examples/README.md`` for the whole tour.
"""

from .app import create_app, may_act, may_see
from .users import User, Users, hash_password

__all__ = ["create_app", "may_act", "may_see", "User", "Users", "hash_password"]
