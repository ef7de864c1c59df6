"""The wizard's session storage: answers encrypted in the session, written only when they change."""

from __future__ import annotations

import json
import time

from django.utils.datastructures import MultiValueDict
from formtools.wizard.storage.session import SessionStorage

from forms_intake.rules import crypto
from forms_intake.wizard import drafts

VALID_STEPS_KEY = "valid_steps"
#: extra_data key: {step: [hash of its answers, encrypted {field: cleaned value}]} of the values later steps need.
NEEDED_VALUES_KEY = "needed_values"
_PLAIN_TYPES = (str, int, bool, type(None))


class EncryptedSessionStorage(SessionStorage):
    """formtools' session storage with each step's answers encrypted (Fernet, as the model fields).

    The session table would otherwise hold ID and phone numbers in clear
    (base64 is not encryption). Decrypted data is cached for the request.

    formtools marks the session modified whenever its data is *read*, so
    every step page rewrote the session (a database write). Here the
    session is saved only when the wizard's data really changed during the
    request, or at most once a minute
    (`EXPIRY_REFRESH_SECONDS`) to keep pushing its expiry forward while the
    resident moves between pages: the timeout warning counts from the page
    load, so a page view must still extend the session.
    """

    _ENCRYPTED = "__encrypted__"
    _data = None
    #: When the wizard data was last written (seconds since the epoch), to refresh the expiry.
    SAVED_AT_KEY = "saved_at"
    EXPIRY_REFRESH_SECONDS = 60

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain = {}
        self._needed = {}
        #: The wizard's hashes of the answers (RegistrationWizard._answer_digests), until they change.
        self.digests = None
        self._loaded = self._fingerprint()

    def _get_data(self):
        # Only this storage writes its key during a request: keep the dict instead of asking the session each time.
        if self._data is None:
            self._data = self.request.session[self.prefix]
        return self._data

    def _set_data(self, value):
        self.request.session[self.prefix] = value  # marks the session modified
        self._data = value

    data = property(_get_data, _set_data)

    def _fingerprint(self):
        stored = self.request.session.get(self.prefix)
        return json.dumps(stored, sort_keys=True, default=str) if stored is not None else None

    def update_response(self, response):
        super().update_response(response)
        stored = self.request.session.get(self.prefix)
        if stored is None:
            return
        now = int(time.time())
        if self._fingerprint() != self._loaded or now - stored.get(self.SAVED_AT_KEY, 0) >= self.EXPIRY_REFRESH_SECONDS:
            stored[self.SAVED_AT_KEY] = now
            drafts.touch(self.request.session)  # marks the session modified: it is saved, its expiry extended

    def set_step_data(self, step, cleaned_data):
        if isinstance(cleaned_data, MultiValueDict):
            cleaned_data = dict(cleaned_data.lists())
        # Keep only this step's fields: not the CSRF token or the buttons.
        cleaned_data = {k: v for k, v in cleaned_data.items() if k.startswith(f"{step}-")}
        self._plain[step] = cleaned_data
        self.digests = None
        self.data[self.step_data_key][step] = {self._ENCRYPTED: crypto.encrypt(json.dumps(cleaned_data))}

    def get_step_data(self, step):
        plain = self.plain_step_data(step)
        return MultiValueDict(plain) if plain is not None else None

    def plain_step_data(self, step):
        """The step's stored answers as {field: [values]} (decrypted once per request), or None; not to be changed."""
        if step not in self._plain:
            stored = self.data[self.step_data_key].get(step)
            plain = None
            if isinstance(stored, dict) and self._ENCRYPTED in stored:
                try:
                    plain = json.loads(crypto.decrypt(stored[self._ENCRYPTED]))
                except Exception:  # noqa: BLE001 - unreadable (e.g. rotated keys): as if never answered
                    plain = None
            self._plain[step] = plain
        return self._plain[step]

    def remember_needed_values(self, step, digest, values):
        """Keep what later steps need from `step` (cleaned, encrypted) while its answers hash to `digest`.

        Only plain values are kept (a string, a number, a flag); anything else is validated again when needed.
        """
        if not values or not all(isinstance(value, _PLAIN_TYPES) for value in values.values()):
            return
        if self.needed_values(step, digest) == values:
            return  # unchanged: no new ciphertext, no session write
        self.extra_data.setdefault(NEEDED_VALUES_KEY, {})[step] = [digest, crypto.encrypt(json.dumps(values))]
        self._needed[step] = (digest, dict(values))

    def needed_values(self, step, digest):
        """{field: cleaned value} kept by remember_needed_values() for these answers of `step`, or None."""
        if step not in self._needed:
            entry = self.extra_data.get(NEEDED_VALUES_KEY, {}).get(step)
            values = None
            if isinstance(entry, list) and len(entry) == 2:
                try:
                    values = json.loads(crypto.decrypt(entry[1]))
                except Exception:  # noqa: BLE001 - unreadable (e.g. rotated keys): validate again
                    values = None
            self._needed[step] = (entry[0], values) if values is not None else (None, None)
        kept_digest, values = self._needed[step]
        return dict(values) if values is not None and kept_digest == digest else None

    def init_data(self):
        super().init_data()
        self._plain = {}
        self._needed = {}
        self.digests = None


