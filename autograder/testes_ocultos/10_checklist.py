# Testes ocultos do caderno 10_checklist (julgado fora do kernel do aluno: ver a secção «contexto»).
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis. Os valores esperados saem à mão da tabela REGRAS do caderno
# (otimizacao/manifesto.py), nunca de solutions/. A secção da primeira célula não usa valores em
# cima dos limites (são da segunda): um aluno que troca >= por > perde só a segunda célula.

# %% teste_itens_demonstrados
import copy as _copy

_TODOS = {
    "memoria_modelo": "00", "quantizar_afim": "00", "empacotar_int4": "00", "quantizar_modelo_int8": "01",
    "inferencia_tflite": "01", "avaliar_tflite": "01", "calcular_sparsity": "04", "podar_progressivamente": "04",
    "tamanho_gzip": "04", "otimizar_modelo_completo": "05", "perda_destilacao": "06", "perda_total": "06",
    "Destilador": "06", "WarmUpCosineDecay": "07", "simular_reduce_on_plateau": "07", "epoca_de_paragem": "08",
    "TopKCheckpoint": "08", "PipelineOtimizacao": "09",
}
_FIGURAS = {
    "01_ptq_tflite": {"razao_int8": 3.6, "queda_pontos": 0.5},
    "04_poda": {"esparsidade": 0.79, "erro_esparsidade": 0.005},
    "05_poda_e_quantizacao": {"razao": 9.3, "queda_pontos": 0.7},
    "06_destilacao": {"exatidao_destilado": 0.95, "exatidao_sozinho": 0.94},
    "09_pipeline_completo": {"razao": 9.5, "queda_pontos": 0.0},
}


def _completo(passou=True):
    return {"versao": 1, "exercicios": {n: {"caderno": c, "passou": passou, "quando": "2026-12-01T09:00:00+00:00"}
                                        for n, c in _TODOS.items()},
            "figuras": _copy.deepcopy(_FIGURAS)}


_r = itens_demonstrados(_completo())
assert list(_r) == list(REGRAS) and all(v is True for v in _r.values()), f"Com todos os exercícios passados e todas as medidas dentro dos limites, todos os itens estão demonstrados (True); veio {_r}."
_r = itens_demonstrados(_completo(passou=False))
assert not any(_r.values()), f"Com todos os exercícios registados com \"passou\": False, nenhum item está demonstrado; veio {_r}."
# Chaves em falta: sem "figuras", sem "exercicios", um dicionário vazio.
_sem_figuras = _completo()
del _sem_figuras["figuras"]
_r = itens_demonstrados(_sem_figuras)
_esperado = {"formatos": True, "ptq": False, "poda": False, "destilacao": False, "taxa": True, "paragem": True,
             "combinar": False, "agendas_callbacks": True}
assert _r == _esperado, f"Num registo sem \"figuras\", só os itens sem medidas estão demonstrados: esperava {_esperado}, veio {_r}."
_r = itens_demonstrados({})
assert list(_r) == list(REGRAS) and not any(_r.values()), "Um dicionário vazio ({}) dá todos os itens a False, sem erro: usa .get() com um valor por omissão."
_r = itens_demonstrados({"figuras": _copy.deepcopy(_FIGURAS)})
assert not any(_r.values()), "Sem \"exercicios\" nenhum item está demonstrado, mesmo com todas as medidas."
# Medidas que não são números não provam nada (e não dão erro).
for _valor in ("9.3", None, [9.3], {"v": 9.3}):
    _reg = _completo()
    _reg["figuras"]["05_poda_e_quantizacao"]["razao"] = _valor
    del _reg["exercicios"]["PipelineOtimizacao"]
    _r = itens_demonstrados(_reg)
    assert _r["combinar"] is False, f"A razão do 05 registada como {_valor!r} não é um número: não prova 'combinar' (e não pode dar erro)."
    assert _r["ptq"] is True, "Uma medida estragada noutro caderno não muda o item 'ptq'."
# Um número inteiro é um número.
_reg = _completo()
_reg["figuras"]["05_poda_e_quantizacao"]["razao"] = 9
del _reg["exercicios"]["PipelineOtimizacao"]
assert itens_demonstrados(_reg)["combinar"] is True, "Uma razão inteira (9) também é um número e cumpre ≥ 8."
# Um só exercício em falta basta para o item não estar provado; os outros itens não mudam.
for _falta, _item in (("avaliar_tflite", "ptq"), ("tamanho_gzip", "poda"), ("perda_total", "destilacao"),
                      ("simular_reduce_on_plateau", "taxa"), ("epoca_de_paragem", "paragem")):
    _reg = _completo()
    del _reg["exercicios"][_falta]
    _r = itens_demonstrados(_reg)
    assert _r[_item] is False, f"Sem {_falta} registado, '{_item}' não está demonstrado: todos os exercícios da alternativa contam."
    assert sum(_r.values()) == len(_r) - 1, f"Sem {_falta}, só '{_item}' deixa de estar demonstrado; veio {_r}."
# Uma medida fora do limite (longe dele).
_reg = _completo()
_reg["figuras"]["04_poda"]["erro_esparsidade"] = 0.07
assert itens_demonstrados(_reg)["poda"] is False, "Uma esparsidade a 0.07 do alvo (o limite é 0.02) não prova 'poda'."
_reg = _completo()
_reg["figuras"]["06_destilacao"]["exatidao_destilado"] = 0.80
assert itens_demonstrados(_reg)["destilacao"] is False, "Um aluno destilado com 0.80 de exatidão (o limite é ≥ 0.90) não prova 'destilacao'."
# O registo não muda.
_reg = _completo()
_reg["exercicios"]["TopKCheckpoint"]["passou"] = False
_antes = _copy.deepcopy(_reg)
itens_demonstrados(_reg)
assert _reg == _antes, "O registo que recebeste mudou: lê-o sem o alterar."

# %% teste_itens_alternativas_e_limites
import copy as _copy  # noqa: E402 (cada célula de teste corre sozinha)

_base = {"versao": 1, "exercicios": {}, "figuras": {}}


def _com(exercicios, figuras):
    _reg = _copy.deepcopy(_base)
    _reg["exercicios"] = {n: {"caderno": "?", "passou": True, "quando": ""} for n in exercicios}
    _reg["figuras"] = _copy.deepcopy(figuras)
    return _reg


_PTQ = ["quantizar_modelo_int8", "inferencia_tflite", "avaliar_tflite"]
_PODA = ["calcular_sparsity", "podar_progressivamente", "tamanho_gzip"]
_DEST = ["perda_destilacao", "perda_total", "Destilador"]
# Em cima dos limites: contam (>= e <=).
assert itens_demonstrados(_com(_PODA, {"04_poda": {"erro_esparsidade": 0.02}}))["poda"] is True, "Uma esparsidade a exatamente 0.02 do alvo cumpre o limite (<=)."
assert itens_demonstrados(_com(_DEST, {"06_destilacao": {"exatidao_destilado": 0.9}}))["destilacao"] is True, "Uma exatidão de exatamente 0.90 cumpre o limite (>=)."
assert itens_demonstrados(_com(["otimizar_modelo_completo"], {"05_poda_e_quantizacao": {"razao": 8.0, "queda_pontos": 3.0}}))["combinar"] is True, "Razão de exatamente 8 e queda de exatamente 3 pontos cumprem os limites (>= e <=)."
# Logo acima / abaixo: não contam.
assert itens_demonstrados(_com(_PTQ, {"01_ptq_tflite": {"razao_int8": 3.2999, "queda_pontos": 0.1}}))["ptq"] is False, "Uma razão de 3.2999 fica abaixo de 3.3: não prova 'ptq'."
assert itens_demonstrados(_com(_PTQ, {"01_ptq_tflite": {"razao_int8": 3.9, "queda_pontos": 2.0001}}))["ptq"] is False, "Uma queda de 2.0001 pontos passa o limite de 2: não prova 'ptq'."
# Alternativas: basta uma (qualquer das duas), mas as condições de uma não se misturam com as da outra.
_F05_BOM = {"05_poda_e_quantizacao": {"razao": 9.0, "queda_pontos": 1.0}}
_F05_MAU = {"05_poda_e_quantizacao": {"razao": 5.0, "queda_pontos": 1.0}}
_F09_BOM = {"09_pipeline_completo": {"razao": 9.0, "queda_pontos": 1.0}}
assert itens_demonstrados(_com(["otimizar_modelo_completo"], _F05_BOM))["combinar"] is True, "Só a alternativa do 05 cumprida (sem nada do 09) basta para 'combinar'."
assert itens_demonstrados(_com(["otimizar_modelo_completo", "PipelineOtimizacao"], {**_F05_MAU, **_F09_BOM}))["combinar"] is True, "O 05 falha a razão, mas o 09 cumpre tudo: basta uma alternativa."
_misturado = _com(["otimizar_modelo_completo"], {**_F05_MAU, **_F09_BOM})
assert itens_demonstrados(_misturado)["combinar"] is False, "O 05 passou mas a sua razão (5×) falha; as medidas do 09 estão boas mas o PipelineOtimizacao não passou: nenhuma alternativa se cumpre inteira, 'combinar' é False (não mistures as condições de alternativas diferentes)."
_r = itens_demonstrados(_com(["WarmUpCosineDecay", "TopKCheckpoint"], {}))
assert _r["agendas_callbacks"] is True and _r["taxa"] is False and _r["paragem"] is False, f"Com só WarmUpCosineDecay e TopKCheckpoint, só 'agendas_callbacks' está demonstrado; veio {_r}."

# %% contexto
# O contexto do juiz (autograder/juiz.py): os nomes que os testes deste caderno usam, aqui, fora
# do kernel do aluno. Do registo de progresso, só o de exemplo e o vazio (vêm do pacote); o
# verificacao.passou das células de teste é o do juiz, que não regista nada.
from otimizacao import progresso as _progresso_do_pacote
from otimizacao.manifesto import REGRAS  # noqa: F401 (usado pelos testes)


class _Progresso:
    vazio = staticmethod(_progresso_do_pacote.vazio)
    exemplo = staticmethod(_progresso_do_pacote.exemplo)


progresso = _Progresso()
