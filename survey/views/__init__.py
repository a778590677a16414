"""The web views, one blueprint a module: public, learner, qr, auth (staff sign-in), staff.

No blueprint imports another: what two of them share lives outside views/ (web.py,
qualifications.py, auth.py, forms.py, the store and the domain modules).
"""
