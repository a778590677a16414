"""The web views, one blueprint a module: public, learner, qr, auth (staff sign-in), staff,
content (the admin's Content pages).

No blueprint imports another: what two of them share lives outside views/ (web.py,
qualifications.py, auth.py, forms.py, the store and the domain modules).
"""
