"""Chinese wording of the learned gate's no-answer (one place, so a deployment can reword it)."""

from __future__ import annotations

OTHER_DEPARTMENT = (
    "抱歉，您问的“{question}”看起来不属于卫生健康部门的业务，卫生健康委的办事指南里没有相关内容，我不能凭猜测回答。"
)
OTHER_DEPARTMENT_NAMED = "这类业务一般由{department}办理。"
OTHER_DEPARTMENT_HINT = "您可以拨打政务服务便民热线{helpline}，由热线转给负责的部门，或到当地政务服务中心咨询。"
