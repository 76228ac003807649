"""服务管理: clients, case/group/community work with their records, referrals, supervision.

One module per subdomain; each is imported here so Django finds its models."""
