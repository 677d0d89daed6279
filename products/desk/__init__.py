"""The store's desk for staff (/staff/products): every product with its campaigns and the
staff pages of each (manage, funnel, new campaign, trials), reached from the Manage menu."""
